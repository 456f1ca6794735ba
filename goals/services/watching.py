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
