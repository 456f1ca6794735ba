"""Writes to key results: every key result has a name on it and a target to move towards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from goals.errors import Errors
from goals.models import Goal, KeyResult, ProductMembership, User
from goals.services.progress import recompute_progress
from goals.services.versioning import check_version, save_versioned

EDITABLE_FIELDS = ("title", "unit", "baseline", "target", "current", "owner", "due_on")


def key_result_create(
    *,
    actor: User,
    goal: Goal,
    title: str,
    baseline: Decimal,
    target: Decimal,
    owner: User | None,
    unit: str = "",
    current: Decimal | None = None,
    due_on: date | None = None,
) -> KeyResult:
    """Add a measurable key result to a goal; `current` starts at the baseline."""
    key_result = KeyResult(
        goal=goal,
        title=title,
        unit=unit,
        baseline=baseline,
        target=target,
        current=baseline if current is None else current,
        owner=owner,
        due_on=due_on,
    )
    _check(key_result)
    with transaction.atomic():
        key_result.save()
        recompute_progress([goal.pk])
    return key_result


def key_result_update(
    *, actor: User, key_result: KeyResult, data: dict[str, Any], version: int | None = None
) -> KeyResult:
    """Change a key result's fields; a stale `version` is refused."""
    with transaction.atomic():
        current = KeyResult.objects.select_for_update().select_related("goal").get(pk=key_result.pk)
        check_version(current, version)
        fields = []
        for field, value in data.items():
            if field in EDITABLE_FIELDS and getattr(current, field) != value:
                setattr(current, field, value)
                fields.append(field)
        if not fields:
            return current
        _check(current)
        save_versioned(current, fields)
        recompute_progress([current.goal_id])
    return current


def key_result_delete(*, actor: User, key_result: KeyResult) -> None:
    """Remove a key result; the goal's progress is recomputed without it."""
    with transaction.atomic():
        goal_id = key_result.goal_id
        key_result.delete()
        recompute_progress([goal_id])


def _check(key_result: KeyResult) -> None:
    errors = Errors()
    key_result.title = (key_result.title or "").strip()
    if not key_result.title:
        errors.add("title", "Name what you will measure.")
    if key_result.owner_id is None:
        errors.add("owner", "Every key result needs an owner: who will move this number?")
    elif not ProductMembership.objects.filter(
        product_id=key_result.goal.product_id, user_id=key_result.owner_id
    ).exists():
        errors.add("owner", "The owner must be a member of this product.")
    if key_result.target == key_result.baseline:
        errors.add("target", "The target must differ from the baseline.")
    errors.raise_if_any()
