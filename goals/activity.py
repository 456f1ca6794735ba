"""A product's activity feed: goal changes, check-ins, comments, insights and workshop
decisions, newest first, one page at a time.

Every kind of activity is a `Source`: the rows of one model for a product, and how to tell
one of them. A page is read in two queries for the ids of all sources together (the count
and the page of a UNION), then one query per source on the page. A new kind of activity is
one more `Source` in `SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, F, Model, Q, QuerySet, Value
from django.urls import reverse

from goals import key_result_history
from goals.markdown import plain_text
from goals.models import AgreementWay, CheckIn, Comment, GoalChange, Insight, Product, User
from goals.services.notifications import excerpt_of
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


@dataclass(frozen=True)
class Source:
    kind: str
    # This product's rows the user may see, with the row's time in `at`.
    rows: Callable[[Product, User], QuerySet[Any]]
    # The rows with these ids, loaded with what `tell` needs.
    load: Callable[[Sequence[int]], QuerySet[Any]]
    tell: Callable[[Any], Activity]


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


def _tell_change(change: GoalChange) -> Activity:
    if change.via in _AGREEMENT_ACTIONS:
        return Activity(
            kind="goal_change",
            at=change.at,
            actor=change.by,
            action=_AGREEMENT_ACTIONS[AgreementWay(change.via)],
            subject=change.goal.title,
            url=_goal_url(change.goal_id),
            detail=excerpt_of(change.reason),
            goal_id=change.goal_id,
        )
    key_results = _key_result_changes(change)
    if key_results:
        return Activity(
            kind="goal_change",
            at=change.at,
            actor=change.by,
            action=f"{' and '.join(kr.sentence for kr in key_results)} on",
            subject=change.goal.title,
            url=_goal_url(change.goal_id, "key-results"),
            detail=excerpt_of(change.reason),
            goal_id=change.goal_id,
        )
    created = all(isinstance(v, list) and v and v[0] is None for v in change.changes.values())
    fields = ", ".join(name.replace("_", " ") for name in change.changes)
    return Activity(
        kind="goal_change",
        at=change.at,
        actor=change.by,
        action="created" if created else f"changed {fields} of",
        subject=change.goal.title,
        url=_goal_url(change.goal_id),
        detail=excerpt_of(change.reason),
        goal_id=change.goal_id,
    )


def _key_result_changes(change: GoalChange) -> list[key_result_history.KeyResultChange]:
    """A change of a goal's key results, told as "moved the target of … from 5,000 to 6,000"."""
    told = [key_result_history.describe(key, pair) for key, pair in change.changes.items()]
    return [kr for kr in told if kr is not None]


def _tell_check_in(check_in: CheckIn) -> Activity:
    detail = f"Confidence {check_in.confidence} of 5"
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


def _tell_comment(comment: Comment) -> Activity:
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


def _tell_insight(insight: Insight) -> Activity:
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


def _tell_decision(decision: Decision) -> Activity:
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


def _visible_workshop_ids(user: User) -> QuerySet[Any]:
    from workshops.selectors import visible_workshops

    return visible_workshops(user).values("pk")


SOURCES: list[Source] = [
    Source(
        "goal_change",
        rows=lambda product, user: GoalChange.objects.filter(goal__product=product).annotate(
            when=F("at")
        ),
        load=lambda ids: GoalChange.objects.filter(pk__in=ids).select_related("goal", "by"),
        tell=_tell_change,
    ),
    Source(
        "check_in",
        rows=lambda product, user: CheckIn.objects.filter(goal__product=product).annotate(
            when=F("created_at")
        ),
        load=lambda ids: CheckIn.objects.filter(pk__in=ids).select_related("goal", "author"),
        tell=_tell_check_in,
    ),
    Source(
        "comment",
        # Proposal comments only for those who can enter the workshop.
        rows=lambda product, user: (
            Comment.objects.filter(product=product, deleted_at=None)
            .filter(Q(goal__isnull=False) | Q(proposal__workshop__in=_visible_workshop_ids(user)))
            .annotate(when=F("created_at"))
        ),
        load=lambda ids: Comment.objects.filter(pk__in=ids).select_related(
            "author", "goal", "proposal"
        ),
        tell=_tell_comment,
    ),
    Source(
        "insight",
        rows=lambda product, user: Insight.objects.filter(goal__product=product).annotate(
            when=F("created_at")
        ),
        load=lambda ids: Insight.objects.filter(pk__in=ids).select_related("goal", "author"),
        tell=_tell_insight,
    ),
    Source(
        "decision",
        # Adoptions are public (the goal is in the chain); other decisions stay in the room.
        rows=lambda product, user: (
            Decision.objects.filter(workshop__product=product)
            .filter(Q(passed=True) | Q(workshop__in=_visible_workshop_ids(user)))
            .annotate(when=F("decided_at"))
        ),
        load=lambda ids: Decision.objects.filter(pk__in=ids).select_related(
            "workshop", "proposal", "decided_by"
        ),
        tell=_tell_decision,
    ),
]
_BY_KIND = {source.kind: source for source in SOURCES}


def feed_rows(product: Product, user: User) -> QuerySet[Any]:
    """(kind, id, when) of every activity of the product the user may see, newest first.

    Count it and slice it like any queryset: each is one query whatever the size.
    """
    parts = [
        source.rows(product, user)
        .order_by()
        .annotate(activity=Value(source.kind, output_field=CharField()))
        .values_list("activity", "pk", "when")
        for source in SOURCES
    ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-when", "-pk")


def feed_items(rows: Sequence[tuple[str, int, datetime]]) -> list[Activity]:
    """The activities of a page of `feed_rows`: one query per kind on the page."""
    ids: dict[str, list[int]] = {}
    for kind, pk, _ in rows:
        ids.setdefault(kind, []).append(pk)
    loaded: dict[tuple[str, int], Model] = {}
    for kind, pks in ids.items():
        for obj in _BY_KIND[kind].load(pks):
            loaded[(kind, obj.pk)] = obj
    return [_BY_KIND[kind].tell(loaded[(kind, pk)]) for kind, pk, _ in rows if (kind, pk) in loaded]
