"""Reads of the chain: a whole chain costs a fixed number of queries and is assembled in Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import InitVar, dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Protocol

from django.db.models import Count, Model, Q, QuerySet
from django.db.models.base import ModelState

from goals.models import (
    CLOSED_STATUSES,
    PARENT_LEVELS,
    Goal,
    GoalChange,
    GoalLink,
    KeyResult,
    Level,
    Product,
    SprintVerdict,
    Status,
    User,
)
from goals.rules import key_result_history
from goals.rules.health import Finding, health_score, product_findings
from goals.rules.quality import QualitySettings
from goals.rules.quality_drafts import Timed
from goals.rules.schedule import local_today


@dataclass
class Chain:
    """A product's goals with their links and key results, loaded in four queries."""

    product: Product
    goals: list[Goal]
    parent_ids: dict[int, list[int]]
    child_ids: dict[int, list[int]]
    key_results: dict[int, list[KeyResult]]
    # Goals' findings worked out already, by an earlier chain with the same date and rules
    # in which the goal, its parents and its key results were the same.
    known: InitVar[Mapping[int, list[Finding]] | None] = None
    by_id: dict[int, Goal] = field(init=False)
    today: date = field(init=False)  # in the organisation's time zone
    quality: QualitySettings = field(init=False)
    findings: list[Finding] = field(init=False)

    def __post_init__(self, known: Mapping[int, list[Finding]] | None) -> None:
        # `.id`, not `.pk`: the property costs a lookup per call, ~100,000 calls per big chain.
        self.by_id = {g.id: g for g in self.goals}
        self.today = local_today(self.product.organization.time_zone)
        self.quality = QualitySettings.of(self.product)
        self.findings = product_findings(
            self.goals,
            {gid: self.parents(gid) for gid in self.by_id},
            self.key_results,
            quality=self.quality,
            today=self.today,
            known=known,
        )

    def parents(self, goal_id: int) -> list[Goal]:
        return [self.by_id[pid] for pid in self.parent_ids.get(goal_id, ()) if pid in self.by_id]

    def children(self, goal_id: int) -> list[Goal]:
        return [self.by_id[cid] for cid in self.child_ids.get(goal_id, ()) if cid in self.by_id]

    @property
    def vision(self) -> Goal | None:
        return vision_of(self.goals)

    @property
    def orphans(self) -> list[Goal]:
        return orphans_of(self.goals, self.parents)

    @cached_property
    def score(self) -> int:
        """Worked out once: a page shows it twice, and a big chain has 10,000 goals to count."""
        return health_score(self.goals, self.findings)

    def findings_by_goal(self) -> dict[int, list[Finding]]:
        """Each goal's findings, in the order found."""
        found: dict[int, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            if finding.goal is not None:
                found[finding.goal].append(finding)
        return found


_LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}


class Placed(Timed, Protocol):
    """What places a goal in the chain: a Goal, or a GoalOutline of the signature query."""

    @property
    def id(self) -> int: ...


def in_chain_order[G: Placed](goals: Iterable[G]) -> list[G]:
    """Level by level from the vision down, each level by start date."""
    return sorted(goals, key=lambda g: (_LEVEL_ORDER[g.level], g.starts_on or date.max, g.id))


def link_ids[G: Placed](
    product: Product, goals: list[G]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Parent ids and child ids of each goal of a product; children in chain order."""
    parent_ids: dict[int, list[int]] = defaultdict(list)
    child_ids: dict[int, list[int]] = defaultdict(list)
    order = {g.id: i for i, g in enumerate(goals)}
    links = GoalLink.objects.filter(child__product=product).values_list("child_id", "parent_id")
    # Sorted once by the child's place, so that every goal's children come out in order.
    for child_id, parent_id in sorted(links, key=lambda link: order.get(link[0], 0)):
        parent_ids[child_id].append(parent_id)
        child_ids[parent_id].append(child_id)
    return parent_ids, child_ids


def vision_of[G: Placed](goals: Iterable[G]) -> G | None:
    """The product's live vision, the root of its tree."""
    return next((g for g in goals if g.level == Level.VISION and g.status != Status.DROPPED), None)


def orphans_of[G: Placed](goals: Iterable[G], parents: Callable[[int], list[G]]) -> list[G]:
    """Goals below the vision that serve no live goal, so the tree would not show them."""
    return [
        g
        for g in goals
        if g.level != Level.VISION and not any(p.status != Status.DROPPED for p in parents(g.id))
    ]


def load_chain(product: Product) -> Chain:
    """Load a product's whole chain: goals, key results, their owners, links (4 queries)."""
    goals, key_results = load_goals(product)
    goals = in_chain_order(goals)
    parent_ids, child_ids = link_ids(product, goals)
    return Chain(product, goals, parent_ids, child_ids, key_results)


def load_goals(
    product: Product, ids: Collection[int] | None = None
) -> tuple[list[Goal], dict[int, list[KeyResult]]]:
    """A product's goals (all, or those of `ids`) and their key results by goal, each with
    its owner: 3 queries."""
    goal_rows = Goal.objects.filter(product=product)
    key_result_rows = KeyResult.objects.filter(goal__product=product)
    if ids is not None:
        goal_rows = goal_rows.filter(pk__in=ids)
        key_result_rows = key_result_rows.filter(goal_id__in=ids)
    goals = _instances(Goal, goal_rows)
    key_results: dict[int, list[KeyResult]] = defaultdict(list)
    krs = _instances(KeyResult, key_result_rows.order_by("id"))
    for key_result in krs:
        key_results[key_result.goal_id].append(key_result)
    # A chain has a handful of owners: one query for them instead of a join per row.
    owners = User.objects.filter(
        Q(pk__in=goal_rows.values("owner_id")) | Q(pk__in=key_result_rows.values("owner_id"))
    )
    owner_of = {user.pk: user for user in owners}
    goal_owner, key_result_owner = Goal.owner.field, KeyResult.owner.field
    for goal in goals:
        owner = None if goal.owner_id is None else owner_of.get(goal.owner_id)
        goal_owner.set_cached_value(goal, owner)
    for key_result in krs:
        key_result_owner.set_cached_value(key_result, owner_of[key_result.owner_id])
    return goals, key_results


def _instances[M: Model](model: type[M], queryset: QuerySet[M]) -> list[M]:
    """Model instances from a query's rows, made the way unpickling makes them.

    Model.__init__ sets every field through its descriptor and sends signals, a large part of
    a big chain's read (bench/README.md has the figures). None of our models reacts to init
    signals, and every concrete field is loaded, so the instances are complete.
    """
    attnames = [f.attname for f in model._meta.concrete_fields]
    db = queryset.db
    objects = []
    for row in queryset.values_list(*attnames):
        obj = model.__new__(model)
        obj.__dict__.update(zip(attnames, row, strict=True))
        state = ModelState()
        state.adding, state.db = False, db
        obj._state = state
        objects.append(obj)
    return objects


# A whole chain is read far more often than it changes: its JSON is cached per product,
# under a signature of everything it is made of. Nothing has to remember to invalidate it.


def goal_history(goal: Goal) -> QuerySet[GoalChange]:
    return goal.changes.select_related("by").order_by("-at", "-id")


def goal_children(goal: Goal) -> list[Goal]:
    return list(goal.children.select_related("owner").order_by("starts_on", "id"))


def my_goals(user: User) -> QuerySet[Goal]:
    """Open goals a person owns or holds a key result of, across every product they see."""
    return (
        Goal.objects.filter(Q(owner=user) | Q(key_results__owner=user))
        .filter(product__organization__memberships__user=user)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("product")
        .annotate(key_result_count=Count("key_results", distinct=True))
        .distinct()
        .order_by("ends_on", "id")
    )


def my_key_results(user: User) -> QuerySet[KeyResult]:
    """Key results a person owns on open goals, across every organisation they belong to."""
    return (
        KeyResult.objects.filter(owner=user, goal__product__organization__memberships__user=user)
        .exclude(goal__status__in=CLOSED_STATUSES)
        .select_related("goal__product")
        .order_by("due_on", "id")
    )


def parent_options(product: Product, level: str) -> list[Goal]:
    """The goals a goal of `level` may serve: one level up, in the same product."""
    levels = PARENT_LEVELS[level]
    if not levels:
        return []
    goals = Goal.objects.filter(product=product, level__in=levels).order_by("level", "title", "id")
    return list(goals)


@dataclass
class HistoryEntry:
    at: datetime
    by: User | None
    by_name: str  # who made it when no person did: a metric token, a data source
    reason: str
    changes: list[tuple[str, str, str]]  # (field label, old, new) as readable text
    created: bool = False  # the first entry: every value was new
    via: str = ""  # how the goal became agreed here (the reason then says it in words)


_HISTORY_LABELS = {
    "title": "Title",
    "description": "Description",
    "owner": "Owner",
    "status": "Status",
    "starts_on": "Starts",
    "ends_on": "Ends",
    "confidence": "Confidence",
    "next_review_on": "Next review",
    "outcome_note": "Outcome note",
    "parents": "Serves",
}


def goal_history_entries(goal: Goal) -> list[HistoryEntry]:
    """A goal's history with people and goals named, in three queries whatever its length."""
    changes = list(goal_history(goal))
    user_ids: set[int] = set()
    goal_ids: set[int] = set()
    for change in changes:
        for field_name, pair in change.changes.items():
            values = pair if isinstance(pair, list) else [None, pair]
            for value in values:
                if field_name == "owner" and isinstance(value, int):
                    user_ids.add(value)
                elif field_name == "parents" and isinstance(value, list):
                    goal_ids.update(v for v in value if isinstance(v, int))
    users = {u.pk: u.name for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    titles = (
        dict(Goal.objects.filter(pk__in=goal_ids).values_list("pk", "title")) if goal_ids else {}
    )

    def text(field_name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if field_name == "owner":
            return users.get(value, "a former member")
        if field_name == "parents":
            return ", ".join(titles.get(pk, f"goal {pk}") for pk in value)
        if field_name == "status":
            return Status(value).label if value in Status.values else str(value)
        if field_name == "sprint_verdict":
            return SprintVerdict(value).label if value in SprintVerdict.values else str(value)
        if field_name.endswith("_on") and isinstance(value, str):
            try:
                day = date.fromisoformat(value)
                return f"{day.day} {day:%b %Y}"
            except ValueError:
                return value
        return str(value)

    entries = []
    oldest = changes[-1] if changes else None  # newest first
    for change in changes:
        # Only the first entry can be the creation: a later one that sets fields for the
        # first time (a check-in's first confidence) is still a change.
        created = change is oldest and all(
            isinstance(pair, list) and pair and pair[0] is None for pair in change.changes.values()
        )
        rows = []
        for field_name, pair in change.changes.items():
            kr = key_result_history.describe(field_name, pair)
            if kr is not None:
                rows.append((kr.label, kr.old, kr.new))
                continue
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            label = _HISTORY_LABELS.get(field_name, field_name.replace("_", " ").capitalize())
            old_text, new_text = text(field_name, old), text(field_name, new)
            if old_text != new_text:  # a new goal's history names only what was set
                rows.append((label, old_text, new_text))
        entries.append(
            HistoryEntry(
                at=change.at,
                by=change.by,
                by_name=change.by_name,
                reason=change.reason,
                changes=rows,
                created=created,
                via=change.via,
            )
        )
    return entries
