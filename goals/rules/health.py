"""Chain health: advice on the chain, as findings with a code and a plain-language message.

Firm rules are refused by the services; what is only advice shows up here, together with
the goal-quality rules of goals/rules/quality.py. The score is the share of open goals with no
finding, docked by a quarter when the product has no vision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from goals.models import (
    OPEN_STATUSES,
    PARENT_LEVELS,
    AgreementWay,
    Goal,
    KeyResult,
    Level,
    Status,
)
from goals.rules.quality import QualitySettings, goal_advice, product_advice
from goals.rules.quality_drafts import GoalDraft, Surroundings, surroundings_of
from goals.rules.timeframes import timeframe_warning

MEASURED_LEVELS = (Level.USER, Level.BUSINESS, Level.PRODUCT)
# Levels the method agrees on unanimously, in a workshop or a round of everyone asked.
STRATEGIC_LEVELS = (Level.VISION, Level.USER, Level.BUSINESS)
LOW_CONFIDENCE = 2


@dataclass(frozen=True)
class Finding:
    goal: int | None
    code: str
    message: str
    suggestion: str = ""  # what good looks like, for goal-quality findings
    # Quality rules this finding also speaks for: a low confidence says what "sprint_stretch"
    # would, so the sprint goal gets one warning, counted for both on the health page.
    also: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "goal": self.goal,
            "code": self.code,
            "message": self.message,
            "suggestion": self.suggestion,
        }


def goal_findings(
    goal: Goal,
    parents: Sequence[Goal],
    key_results: Sequence[KeyResult],
    *,
    today: date | None = None,
    quality: QualitySettings | None = None,
) -> list[Finding]:
    """What is worth fixing about one open goal, given its parents and key results.

    `quality` is the product's choice of goal-quality rules, read from the goal's product
    when not given."""
    if goal.status not in OPEN_STATUSES:
        return []
    found: list[Finding] = []

    def add(code: str, message: str) -> None:
        found.append(Finding(goal.pk, code, message))

    label = Level(goal.level).label
    live_parents = [p for p in parents if p.status != Status.DROPPED]
    if goal.level != Level.VISION and not live_parents:
        wanted = " or ".join(Level(lv).label.lower() for lv in PARENT_LEVELS[goal.level])
        add("orphan", f"{label} “{goal.title}” serves no {wanted} yet: link it into the chain.")
    if goal.level in MEASURED_LEVELS and not key_results:
        add(
            "no_key_results",
            f"{label} “{goal.title}” has no key results: add one with a baseline, a target "
            "and a unit so progress can be measured.",
        )
    warning = timeframe_warning(goal.level, goal.starts_on, goal.ends_on)
    if warning:
        add("timeframe", f"“{goal.title}”: {warning}")
    if goal.ends_on:
        later_than = [p for p in live_parents if p.ends_on and goal.ends_on > p.ends_on]
        for parent in later_than:
            add(
                "outlives_parent",
                f"“{goal.title}” ends on {goal.ends_on:%d %b %Y}, after the goal it serves, "
                f"“{parent.title}”, ends on {parent.ends_on:%d %b %Y}.",
            )
    if (
        not goal.sprint_verdict  # a judged sprint left the review loop
        and goal.next_review_on is not None
        and goal.next_review_on < (today or timezone.localdate())
    ):
        add(
            "review_overdue",
            f"The review of “{goal.title}” was due on {goal.next_review_on:%d %b %Y}: "
            "check in on its key results and confidence.",
        )
    settings = quality or QualitySettings.of(goal.product)
    advice = goal_advice(GoalDraft.of(goal, key_results), settings)
    if goal.confidence is not None and goal.confidence <= LOW_CONFIDENCE:
        # On a sprint goal the quality rule "stretch sprint goal" says the same: one warning,
        # not two. The API's low_confidence code stays, with the rule's suggestion.
        stretch = next((a for a in advice if a.code == "sprint_stretch"), None)
        advice = [a for a in advice if a is not stretch]
        found.append(
            Finding(
                goal.pk,
                "low_confidence",
                f"The team's confidence in “{goal.title}” is {goal.confidence} of 5: talk "
                "about what would make it realistic.",
                stretch.suggestion if stretch else "",
                (stretch.code,) if stretch else (),
            )
        )
    if goal.owner_id is None:
        add("no_owner", f"“{goal.title}” has no owner: name who looks after it.")
    if (
        goal.level in STRATEGIC_LEVELS
        and goal.status == Status.AGREED
        and goal.agreed_via == AgreementWay.RECORD
    ):
        add(
            "agreed_outside_workshop",
            f"{label} “{goal.title}” was agreed outside the app, by a record of who agreed: "
            "goals this high up are best agreed together, in a workshop or a feedback round "
            "where everyone supports them.",
        )
    found += [
        Finding(goal.pk, a.code, f"“{goal.title}”: {a.message}", a.suggestion) for a in advice
    ]
    return found


def product_findings(
    goals: Iterable[Goal],
    parents_of: dict[int, list[Goal]],
    key_results_of: dict[int, list[KeyResult]],
    *,
    quality: QualitySettings,
    today: date | None = None,
    known: Mapping[int, list[Finding]] | None = None,
) -> list[Finding]:
    """Every finding for a product's chain: about the whole product first (the missing
    vision, then goal quality), then goal by goal. `today` is the organisation's date;
    `known` has the findings of goals worked out already, for this date and these rules."""
    goals = list(goals)
    # Today once for the whole chain, not once a goal: asking the time zone is not free.
    today = today or timezone.localdate()
    has_vision = any(g.level == Level.VISION and g.status != Status.DROPPED for g in goals)
    findings = whole_chain_findings(
        has_vision=has_vision, around=surroundings_of(goals, today=today), quality=quality
    )
    known = known or {}
    for goal in goals:
        found = known.get(goal.id)
        if found is None:
            found = goal_findings(
                goal,
                parents_of.get(goal.id, []),
                key_results_of.get(goal.id, []),
                today=today,
                quality=quality,
            )
        findings += found
    return findings


def whole_chain_findings(
    *, has_vision: bool, around: Surroundings, quality: QualitySettings
) -> list[Finding]:
    """The findings about a product's chain as a whole: a missing vision, then the product
    rules of goal quality on its open goals counted (`around`)."""
    findings: list[Finding] = []
    if not has_vision:
        findings.append(
            Finding(
                None,
                "no_vision",
                "This product has no vision yet: start with the change it should make in "
                "people's lives, five years or more ahead.",
            )
        )
    findings += [
        Finding(None, advice.code, advice.message, advice.suggestion)
        for advice in product_advice(around, quality)
    ]
    return findings


def health_score(goals: Iterable[Goal], findings: Sequence[Finding]) -> int:
    """0 to 100: the share of open goals with no finding, less a quarter without a vision."""
    open_ids = {g.id for g in goals if g.status in OPEN_STATUSES}
    flagged = {f.goal for f in findings if f.goal is not None}
    has_vision = not any(f.code == "no_vision" for f in findings)
    return score_of(len(open_ids), len(open_ids & flagged), has_vision=has_vision)


def score_of(open_goals: int, flagged: int, *, has_vision: bool) -> int:
    """The health score from counts: `flagged` of the `open_goals` have a finding."""
    if not open_goals:
        return 0
    score = 100 * (open_goals - flagged) / open_goals
    return round(score if has_vision else score * 0.75)
