"""Reads for the boards that show alignment: the health dashboard, the Product Vision Board,
the GO roadmap, the sprint goal board and the portfolio (goal quality's reads are in
goals/selectors/quality.py). Each costs a fixed number of queries, whatever the size of the
chain or the number of products, and is assembled in Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q

from goals.models import (
    OPEN_STATUSES,
    Goal,
    GoalLink,
    HealthSnapshot,
    KeyResult,
    Level,
    Product,
    SprintVerdict,
    Status,
)
from goals.rules.health import Finding
from goals.rules.quality import SUGGESTIONS
from goals.rules.timeframes import in_date_window
from goals.selectors.chain import Chain

TREND_DAYS = 90
RECENT_SPRINT_DAYS = 84  # twelve weeks of sprints on the sprint goal board
ROADMAP_PAST_DAYS = 90  # product goals that ended longer ago leave the roadmap by default
AXIS_HEIGHT, LANE_HEIGHT = 32, 40  # the roadmap's timeline, in pixels


# Health dashboard -----------------------------------------------------------------------------


@dataclass
class FindingGroup:
    """The findings of one kind, each with the goal it is about (None: the whole product)."""

    code: str
    label: str
    suggestion: str
    items: list[tuple[Goal | None, Finding]] = field(default_factory=list)


def finding_groups(chain: Chain, labels: dict[str, str]) -> list[FindingGroup]:
    """Findings grouped by kind: about the whole product first, then the commonest kinds."""
    groups: dict[str, FindingGroup] = {}
    for finding in chain.findings:
        group = groups.get(finding.code)
        if group is None:
            label = labels.get(finding.code, finding.code.replace("_", " ").capitalize())
            group = groups[finding.code] = FindingGroup(
                finding.code, label, SUGGESTIONS.get(finding.code, "")
            )
        goal = chain.by_id.get(finding.goal) if finding.goal is not None else None
        group.items.append((goal, finding))
    for group in groups.values():
        # A rule's example is of the goal's level: a group whose findings all give the same
        # one shows it, rather than the example of the rule's first level.
        said = {finding.suggestion for _, finding in group.items}
        if group.suggestion and len(said) == 1 and "" not in said:
            group.suggestion = said.pop()
    return sorted(
        groups.values(),
        key=lambda g: (any(goal is not None for goal, _ in g.items), -len(g.items), g.label),
    )


@dataclass(frozen=True)
class TrendPoint:
    day: date
    score: int


@dataclass
class Trend:
    points: list[TrendPoint]

    def change_since(self, days: int) -> int | None:
        """Today's score less the score `days` ago (or the oldest within them)."""
        if len(self.points) < 2:
            return None
        today = self.points[-1]
        since = today.day - timedelta(days=days)
        earlier = next((p for p in self.points if p.day >= since), None)
        if earlier is None or earlier is today:
            return None
        return today.score - earlier.score

    @property
    def change_in_week(self) -> int | None:
        return self.change_since(7)

    @property
    def change_in_month(self) -> int | None:
        return self.change_since(30)

    @property
    def polyline(self) -> str:
        """SVG points in a 0..100 × 0..100 box: x by day, y from 100 (top) down to 0."""
        if not self.points:
            return ""
        first, last = self.points[0].day, self.points[-1].day
        span = max(1, (last - first).days)
        return " ".join(
            f"{(p.day - first).days / span * 100:.2f},{100 - p.score:.0f}" for p in self.points
        )


def health_trend(product: Product, *, today: date, score: int) -> Trend:
    """The daily snapshots of the last 90 days, ending with today's score as it is now."""
    snapshots = HealthSnapshot.objects.filter(
        product=product, day__gte=today - timedelta(days=TREND_DAYS), day__lt=today
    ).order_by("day")
    points = [TrendPoint(s.day, s.score) for s in snapshots.only("day", "score")]
    return Trend([*points, TrendPoint(today, score)])


# Product Vision Board -------------------------------------------------------------------------


@dataclass
class VisionBoard:
    vision: Goal | None
    user_goals: list[Goal]
    business_goals: list[Goal]


def vision_board(product: Product) -> VisionBoard:
    """The vision and the open user and business goals, with their key results (2 queries)."""
    goals = list(
        Goal.objects.filter(
            product=product,
            level__in=(Level.VISION, Level.USER, Level.BUSINESS),
            status__in=OPEN_STATUSES,
        )
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("id")))
        .order_by("starts_on", "id")
    )
    vision = next((g for g in goals if g.level == Level.VISION), None)
    return VisionBoard(
        vision,
        [g for g in goals if g.level == Level.USER],
        [g for g in goals if g.level == Level.BUSINESS],
    )


# GO roadmap -----------------------------------------------------------------------------------


@dataclass
class RoadmapItem:
    """One product goal: a column of the GO roadmap and a bar on its timeline."""

    goal: Goal
    serves: list[Goal]
    sprints: list[Goal]
    key_results: list[KeyResult]
    left: str = ""  # the bar's start and width, in per cent of the timeline
    width: str = ""
    top: int = 0  # its lane, in pixels from the top of the timeline
    start_day: int = 0  # its start and end, in days from the timeline's first day
    end_day: int = 0


@dataclass(frozen=True)
class Month:
    first: date
    left: str


@dataclass
class Roadmap:
    items: list[RoadmapItem]  # on the timeline, by start
    undated: list[RoadmapItem]
    hidden: int  # ended long ago, shown on request
    start: date | None = None
    days: int = 0
    months: list[Month] = field(default_factory=list)
    today_left: str | None = None

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + LANE_HEIGHT * len(self.items)


def roadmap(chain: Chain, *, today: date, everything: bool = False) -> Roadmap:
    """The product goals of a loaded chain on a timeline of whole months, with a month of room
    on either side to drag into. Goals that ended more than 90 days ago (or were dropped)
    are left out unless `everything`."""
    since = today - timedelta(days=ROADMAP_PAST_DAYS)
    dated: list[RoadmapItem] = []
    undated: list[RoadmapItem] = []
    hidden = 0
    for goal in chain.goals:
        if goal.level != Level.PRODUCT:
            continue
        if not everything and (
            goal.status == Status.DROPPED or (goal.ends_on is not None and goal.ends_on < since)
        ):
            hidden += 1
            continue
        item = RoadmapItem(
            goal,
            serves=chain.parents(goal.id),
            sprints=chain.children(goal.id),
            key_results=chain.key_results.get(goal.id, []),
        )
        drawable = (
            goal.starts_on is not None
            and goal.ends_on is not None
            and in_date_window(goal.starts_on)
            and in_date_window(goal.ends_on)
        )
        # A timeframe stored before dates were bounded stays off the timeline, in the list.
        (dated if drawable else undated).append(item)
    dated.sort(key=lambda i: (i.goal.starts_on, i.goal.ends_on, i.goal.id))
    board = Roadmap(dated, undated, hidden)
    if not dated:
        return board
    first = _month(min(i.goal.starts_on for i in dated if i.goal.starts_on), -1)
    end = _month(max(i.goal.ends_on for i in dated if i.goal.ends_on), +2)
    days = (end - first).days

    def at(day: date) -> str:
        return f"{(day - first).days / days * 100:.3f}"

    for lane, item in enumerate(dated):
        assert item.goal.starts_on and item.goal.ends_on
        item.top = AXIS_HEIGHT + LANE_HEIGHT * lane
        item.start_day = (item.goal.starts_on - first).days
        item.end_day = (item.goal.ends_on - first).days
        item.left = at(item.goal.starts_on)
        item.width = f"{(item.goal.ends_on - item.goal.starts_on).days / days * 100:.3f}"
    months, month = [], first
    while month < end:
        months.append(Month(month, at(month)))
        month = _month(month, +1)
    board.start, board.days, board.months = first, days, months
    board.today_left = at(today) if first <= today < end else None
    return board


def _month(day: date, offset: int) -> date:
    """The first day of the month `offset` months from the month of `day`."""
    index = day.year * 12 + day.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


# Sprint goal board ----------------------------------------------------------------------------


@dataclass
class SprintBoard:
    current: list[Goal]
    upcoming: list[Goal]
    recent: list[Goal]
    undated: list[Goal]

    @property
    def judged(self) -> int:
        """Recent sprint goals with a verdict."""
        return sum(1 for g in self.recent if g.sprint_verdict)

    @property
    def met(self) -> int:
        return sum(1 for g in self.recent if g.sprint_verdict == SprintVerdict.MET)


def sprint_board(product: Product, *, today: date) -> SprintBoard:
    """Sprint goals running now, planned next, ended in the last twelve weeks, and open ones
    with no dates yet, each with its product goal and owner (2 queries)."""
    since = today - timedelta(days=RECENT_SPRINT_DAYS)
    goals = list(
        Goal.objects.filter(product=product, level=Level.SPRINT)
        .exclude(status=Status.DROPPED)
        .filter(Q(ends_on__gte=since) | Q(ends_on__isnull=True, status__in=OPEN_STATUSES))
        .select_related("owner")
        .prefetch_related(Prefetch("parents", queryset=Goal.objects.order_by("id")))
        .order_by("starts_on", "id")
    )
    board = SprintBoard([], [], [], [])
    for goal in goals:
        if goal.starts_on is None or goal.ends_on is None:
            board.undated.append(goal)
        elif goal.ends_on < today:
            board.recent.append(goal)
        elif goal.starts_on > today:
            board.upcoming.append(goal)
        else:
            board.current.append(goal)
    board.recent.reverse()  # the sprint just ended first
    return board


# Portfolio ------------------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    product: Product
    chain: Chain
    open_goals: int
    overdue_reviews: int
    score_change: int | None  # since the oldest snapshot of the last seven days

    @property
    def progress(self) -> int | None:
        vision = self.chain.vision
        return vision.progress if vision else None


def portfolio(products: Sequence[Product], *, today: date) -> list[PortfolioRow]:
    """Each product's chain health, progress and overdue reviews: four queries for any number
    of products (goals, links, key results, last week's snapshots)."""
    chains = load_chains(products)
    week_ago = today - timedelta(days=7)
    oldest: dict[int, int] = {}
    snapshots = HealthSnapshot.objects.filter(
        product__in=[p.pk for p in products], day__gte=week_ago, day__lt=today
    ).order_by("-day")
    for product_id, score in snapshots.values_list("product_id", "score"):
        oldest[product_id] = score  # newest first, so the oldest of the week is kept
    rows = []
    for product in products:
        chain = chains[product.pk]
        open_goals = [g for g in chain.goals if g.status in OPEN_STATUSES]
        overdue = sum(
            1
            for g in open_goals
            if g.in_review_loop and g.next_review_on and g.next_review_on < today
        )
        before = oldest.get(product.pk)
        change = chain.score - before if before is not None else None
        rows.append(PortfolioRow(product, chain, len(open_goals), overdue, change))
    return rows


def load_chains(products: Iterable[Product]) -> dict[int, Chain]:
    """Several products' chains at once (3 queries), without the goals' owners."""
    by_pk = {p.pk: p for p in products}
    goals: dict[int, list[Goal]] = defaultdict(list)
    for goal in Goal.objects.filter(product__in=by_pk).order_by("starts_on", "id"):
        goals[goal.product_id].append(goal)
    parent_ids: dict[int, list[int]] = defaultdict(list)
    child_ids: dict[int, list[int]] = defaultdict(list)
    links = GoalLink.objects.filter(child__product__in=by_pk).order_by("id")
    for child_id, parent_id in links.values_list("child_id", "parent_id"):
        parent_ids[child_id].append(parent_id)
        child_ids[parent_id].append(child_id)
    key_results: dict[int, list[KeyResult]] = defaultdict(list)
    for key_result in KeyResult.objects.filter(goal__product__in=by_pk).order_by("id"):
        key_results[key_result.goal_id].append(key_result)
    return {
        pk: Chain(product, goals[pk], parent_ids, child_ids, key_results)
        for pk, product in by_pk.items()
    }


def products_without_snapshot(day: date) -> list[int]:
    """Ids of the products whose health on `day` is not recorded yet."""
    unrecorded = Product.objects.exclude(health_snapshots__day=day).order_by("pk")
    return list(unrecorded.values_list("pk", flat=True))
