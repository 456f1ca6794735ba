"""Progress rolls up the chain: a goal's own key results, else the mean of its live children."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from goals.models import Goal, GoalLink, KeyResult, Level, Status, key_result_progress

# Children are recomputed before their parents.
_BOTTOM_UP = (Level.SPRINT, Level.PRODUCT, Level.USER, Level.BUSINESS, Level.VISION)


def recompute_progress(*, goal_ids: Iterable[int]) -> None:
    """Recompute the given goals' stored progress and that of every goal above them."""
    affected = set(goal_ids)
    frontier = set(affected)
    while frontier:
        frontier = (
            set(GoalLink.objects.filter(child_id__in=frontier).values_list("parent_id", flat=True))
            - affected
        )
        affected |= frontier
    by_level: dict[str, set[int]] = defaultdict(set)
    for pk, level in Goal.objects.filter(pk__in=affected).values_list("pk", "level"):
        by_level[level].add(pk)
    for level in _BOTTOM_UP:
        if by_level[level]:
            _recompute(by_level[level])


def _recompute(goal_ids: set[int]) -> None:
    own: dict[int, list[int]] = defaultdict(list)
    for goal_id, baseline, target, current in KeyResult.objects.filter(
        goal_id__in=goal_ids
    ).values_list("goal_id", "baseline", "target", "current"):
        own[goal_id].append(key_result_progress(baseline, target, current))
    from_children: dict[int, list[int]] = defaultdict(list)
    for parent_id, child_progress in (
        GoalLink.objects.filter(parent_id__in=goal_ids)
        .exclude(child__status=Status.DROPPED)
        .values_list("parent_id", "child__progress")
    ):
        from_children[parent_id].append(child_progress)
    changed = []
    for goal in Goal.objects.filter(pk__in=goal_ids).only("pk", "progress"):
        values = own.get(goal.pk) or from_children.get(goal.pk) or []
        progress = round(sum(values) / len(values)) if values else 0
        if progress != goal.progress:
            goal.progress = progress
            changed.append(goal)
    Goal.objects.bulk_update(changed, ["progress"])
