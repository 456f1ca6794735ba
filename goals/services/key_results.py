"""Writes to key results: every key result has a name on it and a target to move towards.

A key result of an agreed goal is part of what was agreed: adding one, removing one or
changing what it promises (see goals/rules/key_result_history.py) needs a reason, kept with the
change in the goal's history. Its current value (check-ins) and its owner change freely.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from goals.errors import DomainError, Errors
from goals.models import Goal, GoalChange, KeyResult, ProductMembership, Status, User
from goals.rules import key_result_history
from goals.services.progress import recompute_progress
from goals.services.versioning import check_version, save_versioned
from goals.services.webhooks import announce_key_result
from goals.wording import json_number

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
    change_reason: str | None = None,
) -> KeyResult:
    """Add a measurable key result to a goal; `current` starts at the baseline.

    `change_reason` is what the person typed (the API and the pages pass it, empty or
    not); None is for the app's own steps that are recorded elsewhere, such as a workshop
    adopting a proposal with its key results."""
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
        if change_reason is not None and _agreed(goal.pk):
            reason = _reason(change_reason, "This goal is agreed: say why you add a key result.")
            _record(
                actor,
                goal,
                {key_result_history.whole_key(title): [None, _kept(key_result)]},
                reason,
            )
        key_result.save()
        recompute_progress(goal_ids=[goal.pk])
        announce_key_result(
            key_result=key_result, goal=goal, actor=actor, change="added", key=str(key_result.pk)
        )
    return key_result


def key_result_update(
    *,
    actor: User,
    key_result: KeyResult,
    data: dict[str, Any],
    version: int | None = None,
    change_reason: str | None = None,
) -> KeyResult:
    """Change a key result's fields; a stale `version` is refused. On an agreed goal a
    change of what it promises needs `change_reason` (see `key_result_create`)."""
    with transaction.atomic():
        # The goal is locked before its key result, in the order check-ins lock them.
        agreed = change_reason is not None and _agreed(key_result.goal_id)
        current = KeyResult.objects.select_for_update().select_related("goal").get(pk=key_result.pk)
        check_version(current, version)
        before = {field: getattr(current, field) for field in key_result_history.PROMISED_FIELDS}
        fields = []
        for field, value in data.items():
            if field in EDITABLE_FIELDS and getattr(current, field) != value:
                setattr(current, field, value)
                fields.append(field)
        if not fields:
            return current
        _check(current)
        promised = [f for f, old in before.items() if getattr(current, f) != old]
        if promised and agreed:
            words = key_result_history.words_of(promised)
            reason = _reason(
                change_reason or "",
                f"This goal is agreed: say why you change this key result's {words}.",
            )
            changes = {
                key_result_history.field_key(before["title"], field): [
                    _json(field, before[field]),
                    _json(field, getattr(current, field)),
                ]
                for field in promised
            }
            _record(actor, current.goal, changes, reason)
        save_versioned(current, fields)
        recompute_progress(goal_ids=[current.goal_id])
        announce_key_result(
            key_result=current, goal=current.goal, actor=actor, change="changed",
            key=f"{current.pk}:{current.version}",
        )  # fmt: skip
    return current


def key_result_delete(
    *, actor: User, key_result: KeyResult, change_reason: str | None = None
) -> None:
    """Remove a key result; the goal's progress is recomputed without it. On an agreed goal
    it needs `change_reason` (see `key_result_create`)."""
    with transaction.atomic():
        goal = key_result.goal
        if change_reason is not None and _agreed(goal.pk):
            reason = _reason(
                change_reason, "This goal is agreed: say why you remove this key result."
            )
            kept = {key_result_history.whole_key(key_result.title): [_kept(key_result), None]}
            _record(actor, goal, kept, reason)
        goal_id = key_result.goal_id
        announce_key_result(
            key_result=key_result, goal=goal, actor=actor, change="removed",
            key=f"removed:{key_result.pk}",
        )  # fmt: skip
        key_result.delete()
        recompute_progress(goal_ids=[goal_id])


def _agreed(goal_id: int) -> bool:
    """Read under a lock, so a goal agreed a moment ago is not changed without a reason."""
    return Goal.objects.select_for_update().filter(pk=goal_id, status=Status.AGREED).exists()


def _reason(text: str, missing: str) -> str:
    reason = text.strip()
    if not reason:
        raise DomainError({"change_reason": [missing]})
    return reason


def _record(actor: User, goal: Goal, changes: dict[str, Any], reason: str) -> None:
    GoalChange.objects.create(goal_id=goal.pk, by=actor, changes=changes, reason=reason)


def _kept(key_result: KeyResult) -> dict[str, Any]:
    return key_result_history.snapshot(
        title=key_result.title,
        unit=key_result.unit,
        baseline=key_result.baseline,
        target=key_result.target,
        due_on=key_result.due_on,
    )


def _json(field: str, value: Any) -> Any:
    if field in ("baseline", "target"):
        return json_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


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
