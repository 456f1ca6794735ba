"""Watching goals: owners, commenters and mentioned people follow a goal without asking;
anyone who can see it may watch or unwatch it, and an unwatch sticks."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from goals.models import Goal, User, Watch


def watch_set(*, user: User, goal: Goal, watching: bool) -> bool:
    """Watch or unwatch a goal on purpose; returns whether the user now watches it."""
    with transaction.atomic():
        Watch.objects.update_or_create(goal=goal, user=user, defaults={"watching": watching})
    return watching


def watch_automatically(*, goal: Goal, user_ids: Iterable[int]) -> None:
    """Start watching for people who never chose; an earlier unwatch stays as it is."""
    rows = [Watch(goal=goal, user_id=pk, watching=True) for pk in set(user_ids) if pk]
    Watch.objects.bulk_create(rows, ignore_conflicts=True)


def watcher_ids(goal: Goal) -> set[int]:
    """Who follows the goal: those watching, and its owner unless they unwatched it."""
    choices = dict(Watch.objects.filter(goal=goal).values_list("user_id", "watching"))
    watching = {pk for pk, on in choices.items() if on}
    if goal.owner_id and choices.get(goal.owner_id, True):
        watching.add(goal.owner_id)
    return watching


def is_watching(user: User, goal: Goal) -> bool:
    choice = Watch.objects.filter(goal=goal, user=user).values_list("watching", flat=True).first()
    return choice if choice is not None else goal.owner_id == user.pk
