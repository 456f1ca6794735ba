"""Reads of the feedback loop: a goal's check-ins and charts, the review meeting, wins.

Each read costs a fixed number of queries, however many goals, check-ins or comments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from goals.access import may_check_in, role_of
from goals.charts import Chart, confidence_chart, progress_chart
from goals.models import (
    IN_REVIEW_LOOP,
    Cadence,
    CheckIn,
    CheckInValue,
    Comment,
    Goal,
    KeyResult,
    Level,
    Product,
    Retrospective,
    ReviewSchedule,
    Status,
    User,
)
from goals.rules.schedule import ReviewDue, local_today, next_review, review_due, zone
from goals.selectors.metrics import chart_points

HISTORY_SHOWN = 10
TREND_LENGTH = 5
# A level without a regular review shows the reviews a leader set within this many days.
UNSCHEDULED_PERIOD = timedelta(days=14)
LEVEL_PLURALS: dict[str, str] = {
    Level.VISION: "Product vision",
    Level.USER: "User goals",
    Level.BUSINESS: "Business goals",
    Level.PRODUCT: "Product goals",
    Level.SPRINT: "Sprint goals",
}


def check_ins_of(goal: Goal) -> QuerySet[CheckIn]:
    """A goal's check-ins, newest first, with their authors and values."""
    return (
        CheckIn.objects.filter(goal=goal)
        .select_related("author")
        .prefetch_related(
            Prefetch("values", queryset=CheckInValue.objects.select_related("key_result"))
        )
        .order_by("-created_at", "-id")
    )


@dataclass
class GoalReview:
    """The goal page's review section."""

    due: ReviewDue | None
    can_check_in: bool
    check_ins: list[CheckIn]
    more_check_ins: bool
    charts: list[Chart]
    confidence: Chart | None  # None before the first check-in
    retrospective: Retrospective | None
    verdict_due: bool  # a sprint goal whose sprint has ended and has no verdict yet


def goal_review(
    goal: Goal, user: User, key_results: Sequence[KeyResult], *, today: date
) -> GoalReview:
    """Check-ins (the latest ones with their values), a chart per key result with the values
    that came from data beside the check-ins' and one of confidence, the retrospective of a
    miss: three queries, four for a missed goal."""
    check_ins = list(check_ins_of(goal))
    local = zone(goal.product.organization.time_zone)
    series: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    for check_in in reversed(check_ins):
        when = check_in.created_at.astimezone(local)
        for value in check_in.values.all():
            series[value.key_result_id].append((when, value.value))
    data = {
        key_result_id: [(p.at.astimezone(local), p.value, p.by) for p in points]
        for key_result_id, points in chart_points(kr.pk for kr in key_results).items()
    }
    return GoalReview(
        due=review_due(goal.next_review_on, today) if goal.in_review_loop else None,
        can_check_in=goal.status == Status.AGREED
        and may_check_in(goal, user, key_results, role=role_of(goal)),
        check_ins=check_ins[:HISTORY_SHOWN],
        more_check_ins=len(check_ins) > HISTORY_SHOWN,
        charts=[_chart(goal, kr, series[kr.pk], data.get(kr.pk, [])) for kr in key_results],
        confidence=_confidence(goal, check_ins[::-1], local),
        retrospective=Retrospective.objects.filter(goal=goal).first()
        if goal.status == Status.MISSED
        else None,
        verdict_due=goal.level == Level.SPRINT
        and goal.status in (Status.AGREED, Status.ACHIEVED, Status.MISSED)
        and not goal.sprint_verdict
        and (goal.ends_on is None or goal.ends_on <= today),
    )


def _chart(
    goal: Goal,
    key_result: KeyResult,
    values: list[tuple[datetime, Decimal]],
    data: list[tuple[datetime, Decimal, str]],
) -> Chart:
    starts_on = goal.starts_on or key_result.created_at.date()
    earliest = [moments[0][0].date() for moments in (values, data) if moments]
    starts_on = min([starts_on, *earliest])
    return progress_chart(
        key=str(key_result.pk),
        title=key_result.title,
        unit=key_result.unit,
        baseline=key_result.baseline,
        target=key_result.target,
        starts_on=starts_on,
        ends_on=key_result.due_on or goal.ends_on,
        values=values,
        data=data,
    )


def _confidence(goal: Goal, check_ins: Sequence[CheckIn], local: tzinfo) -> Chart | None:
    """The confidence chart of these check-ins, oldest first; None when there are none."""
    if not check_ins:
        return None
    return confidence_chart(
        key=str(goal.pk),
        title=goal.title,
        values=[(c.created_at.astimezone(local), c.confidence) for c in check_ins],
    )


# The review meeting ------------------------------------------------------------------------


@dataclass
class KeyResultLine:
    key_result: KeyResult
    change: Decimal | None  # since the check-in before the latest one


@dataclass
class ReviewItem:
    goal: Goal
    due: ReviewDue
    key_results: list[KeyResultLine] = field(default_factory=list)
    confidences: list[int] = field(default_factory=list)  # oldest first, the latest few
    open_comments: list[Comment] = field(default_factory=list)
    last_check_in: CheckIn | None = None
    confidence_chart: Chart | None = None

    @property
    def trend(self) -> str:
        if len(self.confidences) < 2:
            return ""
        before, now = self.confidences[-2], self.confidences[-1]
        return "rising" if now > before else "dropping" if now < before else "steady"


@dataclass
class LevelReviews:
    level: str
    label: str
    cadence: str
    until: date
    items: list[ReviewItem]


def review_meeting(
    product: Product, schedule: ReviewSchedule, *, today: date
) -> list[LevelReviews]:
    """Goals in the review loop whose review falls in the next period of their level's
    cadence (or is overdue), grouped by level, with their latest values, confidence trend and
    chart, and open comments: five queries whatever the number of goals."""
    until = {
        level: next_review(today, schedule.cadence(level)) or today + UNSCHEDULED_PERIOD
        for level in Level.values
    }
    in_period = Q()
    for level, end in until.items():
        in_period |= Q(level=level, next_review_on__lte=end)
    goals = list(
        Goal.objects.filter(IN_REVIEW_LOOP, product=product, next_review_on__isnull=False)
        .filter(in_period)
        .select_related("owner")
        .order_by("next_review_on", "id")
    )
    items = {g.pk: ReviewItem(g, review_due(g.next_review_on, today)) for g in goals}  # type: ignore[arg-type]
    ids = list(items)
    latest: dict[int, CheckIn] = {}
    history: dict[int, list[CheckIn]] = defaultdict(list)
    for check_in in CheckIn.objects.filter(goal_id__in=ids).select_related("author"):
        item = items[check_in.goal_id]  # newest first
        latest.setdefault(check_in.goal_id, check_in)
        history[check_in.goal_id].append(check_in)
        if len(item.confidences) < TREND_LENGTH:
            item.confidences.insert(0, check_in.confidence)
    local = zone(product.organization.time_zone)
    for goal_id, check_ins in history.items():
        items[goal_id].confidence_chart = _confidence(items[goal_id].goal, check_ins[::-1], local)
    changes = {
        v.key_result_id: v.value - v.previous
        for v in CheckInValue.objects.filter(check_in_id__in=[c.pk for c in latest.values()])
    }
    for kr in KeyResult.objects.filter(goal_id__in=ids).select_related("owner").order_by("id"):
        items[kr.goal_id].key_results.append(KeyResultLine(kr, changes.get(kr.pk)))
    for comment in open_threads(ids):
        items[comment.goal_id].open_comments.append(comment)  # type: ignore[index]
    for goal_id, check_in in latest.items():
        items[goal_id].last_check_in = check_in
    return [
        LevelReviews(
            level,
            LEVEL_PLURALS[level],
            Cadence(schedule.cadence(level)).label,
            until[level],
            [item for item in items.values() if item.goal.level == level],
        )
        for level in Level.values
    ]


def open_threads(goal_ids: Iterable[int]) -> QuerySet[Comment]:
    """Unresolved, not removed first comments of threads on these goals, oldest first."""
    return (
        Comment.objects.filter(
            goal_id__in=list(goal_ids),
            parent__isnull=True,
            resolved_at__isnull=True,
            deleted_at__isnull=True,
        )
        .select_related("author")
        .order_by("created_at", "id")
    )


def wins(goals: Iterable[Goal], limit: int = 10) -> list[Goal]:
    """Achieved goals of a loaded chain, the latest first (no query)."""
    achieved = [g for g in goals if g.status == Status.ACHIEVED]
    return sorted(achieved, key=lambda g: g.updated_at, reverse=True)[:limit]


# The weekly summary -------------------------------------------------------------------------


@dataclass
class WeeklySummary:
    since: datetime
    reviewed: list[Goal]  # checked in on during the week
    overdue: list[Goal]
    dropping: list[tuple[Goal, int, int]]  # goal, confidence before, confidence now


def weekly_summary(product: Product, *, now: datetime) -> WeeklySummary:
    """The product's last seven days of reviews, in three queries."""
    since = now - timedelta(days=7)
    today = local_today(product.organization.time_zone, now)
    agreed = {
        g.pk: g
        for g in Goal.objects.filter(product=product, status=Status.AGREED).order_by(
            "next_review_on", "id"
        )
    }
    recent_ids = set(
        CheckIn.objects.filter(goal__in=list(agreed), created_at__gte=since).values_list(
            "goal_id", flat=True
        )
    )
    confidences: dict[int, list[int]] = defaultdict(list)
    for goal_id, confidence in CheckIn.objects.filter(goal_id__in=recent_ids).values_list(
        "goal_id", "confidence"
    ):  # newest first
        confidences[goal_id].append(confidence)
    return WeeklySummary(
        since=since,
        reviewed=[g for pk, g in agreed.items() if pk in recent_ids],
        overdue=[
            g
            for g in agreed.values()
            if g.in_review_loop and g.next_review_on and g.next_review_on < today
        ],
        dropping=[
            (agreed[pk], values[1], values[0])
            for pk, values in confidences.items()
            if len(values) > 1 and values[0] < values[1]
        ],
    )


def schedule_of(product: Product) -> ReviewSchedule:
    """The product's schedule; the defaults (not saved) while nobody has changed them."""
    schedule = ReviewSchedule.objects.filter(product=product).first()
    return schedule or ReviewSchedule(product=product)
