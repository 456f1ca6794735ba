"""Reads of the chain. A whole chain costs a fixed number of queries and is assembled in Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from goals.health import Finding, goal_findings, health_score, product_findings
from goals.models import (
    CLOSED_STATUSES,
    Goal,
    GoalChange,
    GoalLink,
    KeyResult,
    Level,
    Product,
    ProductMembership,
    Status,
    User,
)


@dataclass
class Chain:
    """A product's goals with their links and key results, loaded in four queries."""

    product: Product
    goals: list[Goal]
    parent_ids: dict[int, list[int]]
    child_ids: dict[int, list[int]]
    key_results: dict[int, list[KeyResult]]
    by_id: dict[int, Goal] = field(init=False)
    findings: list[Finding] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {g.pk: g for g in self.goals}
        self.findings = product_findings(
            self.goals,
            {gid: self.parents(gid) for gid in self.by_id},
            self.key_results,
        )

    def parents(self, goal_id: int) -> list[Goal]:
        return [self.by_id[pid] for pid in self.parent_ids.get(goal_id, ()) if pid in self.by_id]

    def children(self, goal_id: int) -> list[Goal]:
        return [self.by_id[cid] for cid in self.child_ids.get(goal_id, ()) if cid in self.by_id]

    @property
    def vision(self) -> Goal | None:
        return next(
            (g for g in self.goals if g.level == Level.VISION and g.status != Status.DROPPED),
            None,
        )

    @property
    def orphans(self) -> list[Goal]:
        """Goals below the vision that serve no live goal, so the tree would not show them."""
        return [
            g
            for g in self.goals
            if g.level != Level.VISION
            and not any(p.status != Status.DROPPED for p in self.parents(g.pk))
        ]

    @property
    def score(self) -> int:
        return health_score(self.goals, self.findings)

    def codes(self) -> dict[int, list[str]]:
        codes: dict[int, list[str]] = defaultdict(list)
        for finding in self.findings:
            if finding.goal is not None and finding.code not in codes[finding.goal]:
                codes[finding.goal].append(finding.code)
        return codes


_LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}


def load_chain(product: Product) -> Chain:
    """Load a product's whole chain: goals, links, key results (with owners)."""
    goals = sorted(
        Goal.objects.filter(product=product).select_related("owner"),
        key=lambda g: (_LEVEL_ORDER[g.level], g.starts_on or date.max, g.pk),
    )
    parent_ids: dict[int, list[int]] = defaultdict(list)
    child_ids: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in GoalLink.objects.filter(child__product=product).values_list(
        "child_id", "parent_id"
    ):
        parent_ids[child_id].append(parent_id)
        child_ids[parent_id].append(child_id)
    order = {g.pk: i for i, g in enumerate(goals)}
    for ids in child_ids.values():
        ids.sort(key=lambda pk: order.get(pk, 0))
    key_results: dict[int, list[KeyResult]] = defaultdict(list)
    for key_result in KeyResult.objects.filter(goal__product=product).select_related("owner"):
        key_results[key_result.goal_id].append(key_result)
    return Chain(product, goals, parent_ids, child_ids, key_results)


def chain_as_dict(chain: Chain) -> dict[str, Any]:
    """The API's nested chain: the vision's tree, and orphans with their own subtrees."""
    codes = chain.codes()

    def node(goal: Goal) -> dict[str, Any]:
        data = goal_as_dict(
            goal,
            parent_ids=chain.parent_ids.get(goal.pk, []),
            key_results=chain.key_results.get(goal.pk, []),
            health=codes.get(goal.pk, []),
        )
        data["children"] = [node(child) for child in chain.children(goal.pk)]
        return data

    vision = chain.vision
    product = chain.product
    return {
        "product": product.pk,
        "name": product.name,
        "organization": product.organization_id,
        "business_strategy": product.organization.business_strategy,
        "portfolio_strategy": product.portfolio_strategy,
        "vision": node(vision) if vision else None,
        "orphans": [node(goal) for goal in chain.orphans],
        "health_score": chain.score,
    }


def goal_as_dict(
    goal: Goal,
    *,
    parent_ids: Iterable[int],
    key_results: Iterable[KeyResult],
    health: list[str],
) -> dict[str, Any]:
    """One goal as the API shows it."""
    return {
        "id": goal.pk,
        "product": goal.product_id,
        "level": goal.level,
        "title": goal.title,
        "description": goal.description,
        "description_html": goal.description_html,
        "parents": sorted(parent_ids),
        "owner": goal.owner_id,
        "owner_name": goal.owner.name if goal.owner else None,
        "status": goal.status,
        "starts_on": _date(goal.starts_on),
        "ends_on": _date(goal.ends_on),
        "confidence": goal.confidence,
        "next_review_on": _date(goal.next_review_on),
        "outcome_note": goal.outcome_note,
        "version": goal.version,
        "progress": goal.progress,
        "key_results": [key_result_as_dict(kr) for kr in key_results],
        "health": health,
        "created_at": _datetime(goal.created_at),
        "updated_at": _datetime(goal.updated_at),
    }


def key_result_as_dict(key_result: KeyResult) -> dict[str, Any]:
    return {
        "id": key_result.pk,
        "goal": key_result.goal_id,
        "title": key_result.title,
        "unit": key_result.unit,
        "baseline": _number(key_result.baseline),
        "target": _number(key_result.target),
        "current": _number(key_result.current),
        "owner": key_result.owner_id,
        "owner_name": key_result.owner.name,
        "due_on": _date(key_result.due_on),
        "progress": key_result.progress,
        "version": key_result.version,
    }


def goals_for_api(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    """What a goal list or detail needs: owners, parents and key results in fixed queries."""
    return qs.select_related("owner").prefetch_related(
        Prefetch("parents", queryset=Goal.objects.order_by("id")),
        Prefetch("key_results", queryset=KeyResult.objects.select_related("owner")),
    )


def goal_health_codes(goal: Goal) -> list[str]:
    """Health codes of one goal whose parents and key results are prefetched."""
    findings = goal_findings(goal, list(goal.parents.all()), list(goal.key_results.all()))
    return list(dict.fromkeys(f.code for f in findings))


def goal_history(goal: Goal) -> QuerySet[GoalChange]:
    return goal.changes.select_related("by").order_by("-at", "-id")


def goal_children(goal: Goal) -> list[Goal]:
    return list(goal.children.select_related("owner").order_by("starts_on", "id"))


def product_members(product: Product) -> QuerySet[ProductMembership]:
    return product.memberships.select_related("user").order_by("role", "user__email")


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


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)
