"""Check-ins: a review of a goal with data, not just words.

A check-in gives each key result of the goal its current value and records the team's
confidence (1–5) and a note. In one transaction it updates the key results (progress rolls
up the chain), keeps every value with the one before it, sets the goal's confidence and
moves its next review one period on (unless the goal has left the review loop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import transaction

from goals.access import may_check_in
from goals.errors import Errors, Forbidden
from goals.models import (
    CHECK_IN_REASON,
    CheckIn,
    CheckInValue,
    Goal,
    GoalChange,
    KeyResult,
    Status,
    User,
)
from goals.rules.schedule import product_today
from goals.services.key_results import key_result_update
from goals.services.reviews import review_after
from goals.services.versioning import model_update
from goals.services.webhooks import announce_goal

NOTE_MAX_LENGTH = 5000
MAX_VALUE = Decimal(10**12)  # what the key results' columns hold (16 digits, 4 decimals)
CHECK_IN_STATUSES = (Status.AGREED,)
NOT_ALLOWED = (
    "Only the goal's owner, its key results' owners, the team and its leaders check in on it."
)


@dataclass(frozen=True)
class Value:
    key_result: int
    value: Decimal


def check_in_create(
    *,
    actor: User,
    goal: Goal,
    values: Sequence[Value],
    confidence: int | None,
    note: str = "",
) -> CheckIn:
    """Record a check-in on an agreed goal; bad input changes nothing."""
    note = (note or "").strip()
    with transaction.atomic():
        current_goal = (
            Goal.objects.select_for_update(of=("self",))
            .select_related("product__organization")
            .get(pk=goal.pk)
        )
        key_results = {kr.pk: kr for kr in current_goal.key_results.select_for_update()}
        if not may_check_in(current_goal, actor, list(key_results.values())):
            raise Forbidden(NOT_ALLOWED)
        _check(current_goal, key_results, values, confidence, note)
        assert confidence is not None
        check_in = CheckIn.objects.create(
            goal=current_goal, author=actor, confidence=confidence, note=note
        )
        CheckInValue.objects.bulk_create(
            CheckInValue(
                check_in=check_in,
                key_result_id=item.key_result,
                value=item.value,
                previous=key_results[item.key_result].current,
            )
            for item in values
        )
        for item in values:
            key_result_update(
                actor=actor, key_result=key_results[item.key_result], data={"current": item.value}
            )
        # A judged sprint left the review loop: its late check-ins schedule no review.
        if current_goal.in_review_loop:
            check_in.next_review_on = review_after(
                product=current_goal.product,
                level=current_goal.level,
                day=product_today(current_goal.product, check_in.created_at),
            )
            check_in.save(update_fields=["next_review_on"])
        _move_review(actor, current_goal, check_in)
        _announce(actor, current_goal, check_in)
    return check_in


def _announce(actor: User, goal: Goal, check_in: CheckIn) -> None:
    """Tell the hooks, saying whether the team's confidence dropped since the last check-in."""
    previous = cache(
        lambda: (
            CheckIn.objects.filter(goal=goal)
            .exclude(pk=check_in.pk)
            .order_by("-created_at", "-pk")
            .values_list("confidence", flat=True)
            .first()
        )
    )
    announce_goal(
        event="check_in.created", goal=goal, actor=actor, key=str(check_in.pk),
        confidence=check_in.confidence, previous_confidence=previous,
        confidence_dropped=lambda: (before := previous()) is not None
        and check_in.confidence < before,
    )  # fmt: skip


def _check(
    goal: Goal,
    key_results: dict[int, KeyResult],
    values: Sequence[Value],
    confidence: int | None,
    note: str,
) -> None:
    errors = Errors()
    if goal.status not in CHECK_IN_STATUSES:
        errors.add(
            "non_field_errors",
            f"Check-ins are for agreed goals; this one is {goal.get_status_display().lower()}.",
        )
    if confidence is None:
        errors.add("confidence", "How sure is the team? Give a confidence from 1 to 5.")
    elif isinstance(confidence, bool) or not 1 <= confidence <= 5:
        errors.add("confidence", "Confidence is 1 (not sure at all) to 5 (certain).")
    seen: set[int] = set()
    for item in values:
        kr = key_results.get(item.key_result)
        # Named by its title; a key result of another goal stays unnamed, as it is not this
        # goal's to show.
        if kr is None:
            errors.add("values", "A value is for a key result that is not one of this goal's.")
        elif item.key_result in seen:
            errors.add("values", f"“{kr.title}” has more than one value.")
        if kr is not None and (not item.value.is_finite() or abs(item.value) >= MAX_VALUE):
            errors.add("values", f"Give “{kr.title}” a number below 10¹².")
        seen.add(item.key_result)
    missing = [kr for pk, kr in key_results.items() if pk not in seen]
    if missing:
        names = ", ".join(f"“{kr.title}”" for kr in missing)
        errors.add("values", f"Give a value for each key result; missing: {names}.")
    if len(note) > NOTE_MAX_LENGTH:
        errors.add("note", f"Keep the note to {NOTE_MAX_LENGTH:,} characters.")
    errors.raise_if_any()


def _move_review(actor: User, goal: Goal, check_in: CheckIn) -> None:
    """The goal takes the check-in's confidence and next review date, kept in its history."""
    fields = ("confidence", "next_review_on")
    changed = model_update(goal, {field: getattr(check_in, field) for field in fields})
    if changed:
        changes = {field: [_json(old), _json(new)] for field, (old, new) in changed.items()}
        GoalChange.objects.create(goal=goal, by=actor, changes=changes, reason=CHECK_IN_REASON)


def _json(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value
