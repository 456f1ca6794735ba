"""How each entry of the activity feed reads: a sentence saying who did what to which goal,
told from the row it comes from (a goal change, a check-in, a comment, an insight, a
feedback round, a workshop decision)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.urls import reverse

from goals.markdown import plain_text
from goals.models import (
    AgreementWay,
    CheckIn,
    Comment,
    FeedbackRound,
    GoalChange,
    Insight,
    Level,
    SprintVerdict,
    Status,
    User,
)
from goals.rules import key_result_history
from goals.wording import FIELD_WORDS, amount, excerpt_of
from workshops.models import Decision


@dataclass(frozen=True)
class Activity:
    kind: str
    at: datetime
    actor: User | None
    action: str  # what the actor did, e.g. "commented on"
    subject: str  # the goal's or proposal's title
    url: str
    detail: str = ""  # a short quote: the comment, the reason, the finding
    goal_id: int | None = None
    after: str = ""  # what follows the subject, e.g. " as achieved"
    by_name: str = ""  # who acted when no person did: a metric token, a data source

    @property
    def actor_name(self) -> str | None:
        return self.actor.name if self.actor else (self.by_name or None)


@dataclass
class Names:
    """People and goals a page's history entries name by id: one query each per page."""

    people: dict[int, str] = field(default_factory=dict)
    goals: dict[int, str] = field(default_factory=dict)


def _goal_url(goal_id: int, anchor: str = "") -> str:
    return reverse("goal", args=[goal_id]) + (f"#{anchor}" if anchor else "")


# How each way of agreeing reads in the feed; the entry's reason says the rest (the
# workshop's name, who agreed and why).
_AGREEMENT_ACTIONS = {
    AgreementWay.WORKSHOP: "marked agreed, as a workshop decided:",
    AgreementWay.FEEDBACK_ROUND: "marked agreed after feedback round (everyone asked supported):",
    AgreementWay.RECORD: "recorded an agreement reached elsewhere on",
    AgreementWay.RESTORED: "restored from an export:",
}


def tell_change(change: GoalChange, names: Names) -> Activity:
    goal = change.goal
    told = Activity(
        kind="goal_change",
        at=change.at,
        actor=change.by,
        by_name=change.by_name,
        action="changed",
        subject=goal.title,
        url=_goal_url(change.goal_id),
        detail=excerpt_of(change.reason),
        goal_id=change.goal_id,
    )
    if change.via in _AGREEMENT_ACTIONS:
        return replace(told, action=_AGREEMENT_ACTIONS[AgreementWay(change.via)])
    key_results = _key_result_changes(change)
    if key_results:
        return replace(
            told,
            action=f"{' and '.join(kr.sentence for kr in key_results)} on",
            url=_goal_url(change.goal_id, "key-results"),
        )
    pairs = field_pairs(change)
    if "title" in pairs and pairs["title"][0] is None:
        return replace(told, action=f"created the {Level(goal.level).label.lower()}")
    action, subject, after, outcome = _sentence(pairs, names, goal.title)
    detail = told.detail or excerpt_of(outcome)
    return replace(told, action=action, subject=subject, after=after, detail=detail)


# Texts the feed names without quoting them whole (the detail quotes the reason).
_LONG_TEXTS = ("description", "outcome_note")


_CLOSED = (Status.ACHIEVED, Status.MISSED, Status.DROPPED)


def field_pairs(change: GoalChange) -> dict[str, tuple[Any, Any]]:
    """The goal fields an entry changed, as (old, new); whatever else it keeps is skipped."""
    return {
        name: (pair[0], pair[1])
        for name, pair in change.changes.items()
        if name in FIELD_WORDS and isinstance(pair, list) and len(pair) == 2
    }


def _sentence(
    pairs: dict[str, tuple[Any, Any]], names: Names, title: str
) -> tuple[str, str, str, str]:
    """(action, subject, after, outcome note) telling an entry's field changes."""
    outcome = pairs.pop("outcome_note", (None, None))[1]
    outcome = outcome if isinstance(outcome, str) else ""
    status, verdict = pairs.pop("status", None), pairs.pop("sprint_verdict", None)
    if (status or verdict) and pairs.get("next_review_on", (None, None))[1] is None:
        pairs.pop("next_review_on", None)  # closing or judging ends the reviews
    action, subject, after = "", title, ""
    if status is not None:
        old, new = status
        label = _text("status", new, names).lower()
        if new in (Status.ACHIEVED, Status.MISSED):
            action, after = "closed", f" as {label}"
        elif new == Status.DROPPED:
            action = "dropped"
        elif old in _CLOSED:
            action, after = "reopened", f" as {label}"
        else:
            action, after = "moved", f" from {_text('status', old, names).lower()} to {label}"
    elif verdict is not None:
        action, after = "judged the sprint", f" {_text('sprint_verdict', verdict[1], names)}"
        after = after.lower()
    elif "title" in pairs:
        old, new = pairs.pop("title")
        action, subject = f"renamed “{old}” to", new if isinstance(new, str) and new else title
    elif len(pairs) == 1:
        [(name, (old, new))] = pairs.items()
        return (*_single(name, old, new, names, title), outcome)
    elif not pairs and outcome:
        return "wrote the outcome note of", title, "", outcome
    if pairs:
        clauses = " and ".join(_clause(name, old, new, names) for name, (old, new) in pairs.items())
        if action:
            after += f", and changed its {clauses}"
        else:
            action, after = "changed", f": {clauses}"
    return action, subject, after, outcome


def _single(name: str, old: Any, new: Any, names: Names, title: str) -> tuple[str, str, str]:
    """The sentence for an entry that changed one field of a goal (besides its title)."""
    words = FIELD_WORDS[name]
    if name in _LONG_TEXTS:
        return f"edited the {words} of", title, ""
    if name == "owner":
        if new is None:
            return "took the owner off", title, ""
        return "handed", title, f" to {_text(name, new, names)}"
    if name == "parents":
        if not new:
            return "unlinked", title, f" from {_text(name, old, names)}"
        return "linked", title, f" to {_text(name, new, names)}"
    if new is None:
        return f"cleared the {words} of", title, ""
    verb = "moved" if name.endswith("_on") else "set" if old is None else "changed"
    after = f" to {_text(name, new, names)}"
    if old is not None:
        after = f" from {_text(name, old, names)}{after}"
    return f"{verb} the {words} of", title, after


def _clause(name: str, old: Any, new: Any, names: Names) -> str:
    words = FIELD_WORDS[name]
    if name in _LONG_TEXTS:
        return words
    return f"{words} from {_text(name, old, names)} to {_text(name, new, names)}"


def _text(name: str, value: Any, names: Names) -> str:
    """A kept value as people read it: names for people and goals, "5 Dec 2026" for days."""
    if value is None or value == "" or value == []:
        return "none"
    if name == "owner":
        return names.people.get(value, "a former member") if isinstance(value, int) else "someone"
    if name == "parents" and isinstance(value, list):
        titles = [f"“{names.goals[pk]}”" for pk in value if pk in names.goals]
        return " and ".join(titles) or "a removed goal"
    if name == "status" and value in Status.values:
        return str(Status(value).label)
    if name == "sprint_verdict" and value in SprintVerdict.values:
        return str(SprintVerdict(value).label)
    if name == "confidence":
        return f"{value} of 5"
    if name.endswith("_on") and isinstance(value, str):
        try:
            return _day(date.fromisoformat(value))
        except ValueError:
            return value
    return f"“{value}”" if name == "title" else str(value)


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _key_result_changes(change: GoalChange) -> list[key_result_history.KeyResultChange]:
    """A change of a goal's key results, told as "moved the target of … from 5,000 to 6,000"."""
    told = [key_result_history.describe(key, pair) for key, pair in change.changes.items()]
    return [kr for kr in told if kr is not None]


def tell_check_in(check_in: CheckIn, names: Names) -> Activity:
    """ "checked in on [goal]": each key result's new value, the confidence, the next review."""
    values = [
        f"{f'{v.key_result.title} {amount(v.value)} {v.key_result.unit}'.rstrip()}"
        f" (was {amount(v.previous)})"
        for v in check_in.values.all()
    ]
    review = f", next review {_day(check_in.next_review_on)}" if check_in.next_review_on else ""
    detail = f"Confidence {check_in.confidence} of 5{review}"
    if values:
        detail = f"{'; '.join(values)}. {detail}"
    if check_in.note:
        detail = f"{detail}: {check_in.note}"
    return Activity(
        kind="check_in",
        at=check_in.created_at,
        actor=check_in.author,
        action="checked in on",
        subject=check_in.goal.title,
        url=_goal_url(check_in.goal_id),
        detail=excerpt_of(detail),
        goal_id=check_in.goal_id,
    )


def tell_feedback_round(feedback_round: FeedbackRound, names: Names) -> Activity:
    return Activity(
        kind="feedback_round",
        at=feedback_round.created_at,
        actor=feedback_round.requested_by,
        action="asked for feedback on",
        subject=feedback_round.goal.title,
        url=_goal_url(feedback_round.goal_id, "feedback"),
        detail=excerpt_of(feedback_round.question),
        goal_id=feedback_round.goal_id,
        after=f" by {_day(feedback_round.deadline)}",
    )


def tell_comment(comment: Comment, names: Names) -> Activity:
    if comment.goal is not None:
        subject, url = comment.goal.title, _goal_url(comment.goal_id or 0, f"comment-{comment.pk}")
        action = "replied on" if comment.parent_id else "commented on"
    else:
        proposal = comment.proposal
        assert proposal is not None
        subject = proposal.title
        url = reverse("proposal-comments", args=[proposal.pk]) + f"#comment-{comment.pk}"
        action = "replied on the proposal" if comment.parent_id else "commented on the proposal"
    return Activity(
        kind="comment",
        at=comment.created_at,
        actor=comment.author,
        action=action,
        subject=subject,
        url=url,
        detail=excerpt_of(plain_text(comment.body_html)),
        goal_id=comment.goal_id,
    )


def tell_insight(insight: Insight, names: Names) -> Activity:
    return Activity(
        kind="insight",
        at=insight.created_at,
        actor=insight.author,
        action="added an insight to",
        subject=insight.goal.title,
        url=_goal_url(insight.goal_id, "insights"),
        detail=excerpt_of(insight.summary),
        goal_id=insight.goal_id,
    )


def tell_decision(decision: Decision, names: Names) -> Activity:
    workshop = decision.workshop
    if decision.passed and decision.goal_id:
        action, url = f"adopted in “{workshop.title}”:", _goal_url(decision.goal_id)
    else:
        action, url = (
            f"did not adopt in “{workshop.title}”:",
            reverse("workshop-room", args=[workshop.pk]),
        )
    return Activity(
        kind="decision",
        at=decision.decided_at,
        actor=decision.decided_by,
        action=action,
        subject=decision.proposal.title,
        url=url,
        detail=excerpt_of(decision.reason),
        goal_id=decision.goal_id,
    )
