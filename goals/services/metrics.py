"""Metric tokens, and the values that reach key results from data.

A metric token can do one thing: push values of the key results of one product, from a
script or a nightly export (`POST /api/key-results/{id}/values/`). Like personal tokens, its
secret is shown once and kept only as a SHA-256 and its first characters.

A value pushed with a token, by a person, or fetched from a key result's data source
(goals/services/metric_sources.py) is kept as a data point for the key result's chart. When
it is the newest thing known about the key result it also becomes its current value, as a
check-in's value does: the version moves on, progress rolls up the chain, and the goal's
history says who sent it ("by Nightly warehouse export"). A point back-filled for an older
moment only joins the chart.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.tokens import hash_key
from goals.access import Role, role_in
from goals.errors import Conflict, DomainError, Errors, Forbidden, NotFound
from goals.models import (
    CLOSED_STATUSES,
    MEASURE_LIMIT,
    MEASURE_PLACES,
    TOKEN_NAME_MAX_LENGTH,
    CheckInValue,
    Goal,
    GoalChange,
    KeyResult,
    MetricToken,
    MetricValue,
    Product,
    User,
)
from goals.rules import key_result_history
from goals.services.progress import recompute_progress
from goals.services.versioning import model_update
from goals.services.webhooks import announce_key_result
from goals.wording import json_number

METRIC_SECRET_START = "gcm_"
PREFIX_LENGTH = 12
NOTE_MAX_LENGTH = 500
# A moment this little ahead is a clock running fast, not a value from the future: taken as now.
CLOCK_SKEW = timedelta(minutes=1)
NAME_MISSING = "Give the token a name, e.g. what will push values with it."
NAME_TOO_LONG = f"Keep the name to {TOKEN_NAME_MAX_LENGTH} characters or fewer."
NOT_A_LEADER = "Only the product's leaders and the organisation's admins manage its metric tokens."
UNKNOWN_MESSAGE = "This metric token is unknown or was revoked."
METRIC_ONLY_MESSAGE = (
    "This is a metric token: it only pushes key-result values "
    "(POST /api/key-results/{id}/values/) and signs nobody in. Use a personal API token here."
)
VALUE_MESSAGE = "Give the value as a number below 100 billion, with at most four decimal places."
FUTURE_MESSAGE = (
    "This moment is in the future: give the time the value was measured, or leave it out for now."
)


def metric_token_create(*, actor: User, product: Product, name: str) -> tuple[MetricToken, str]:
    """A new metric token of the product and its secret, never stored: shown this once."""
    if role_in(actor, product.pk) != Role.LEADER:
        raise Forbidden(NOT_A_LEADER)
    name = name.strip()
    if not name:
        raise DomainError({"name": [NAME_MISSING]})
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise DomainError({"name": [NAME_TOO_LONG]})
    secret = METRIC_SECRET_START + secrets.token_urlsafe(32)
    token = MetricToken.objects.create(
        product=product,
        name=name,
        key_hash=hash_key(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_by=actor,
    )
    return token, secret


def metric_token_revoke(*, actor: User, token: MetricToken) -> None:
    """Delete a metric token: whatever pushes with it is refused from now on."""
    if role_in(actor, token.product_id) != Role.LEADER:
        raise Forbidden(NOT_A_LEADER)
    token.delete()


def metric_token_find(*, secret: str) -> MetricToken | None:
    """The metric token with this secret, in one query; None for any other text."""
    if not secret.startswith(METRIC_SECRET_START):
        return None
    return MetricToken.objects.filter(key_hash=hash_key(secret)).first()


def metric_value_record(
    *,
    key_result: KeyResult,
    value: Decimal,
    by: str,
    at: datetime | None = None,
    note: str = "",
    actor: User | None = None,
    token: MetricToken | None = None,
    by_name: str | None = None,
) -> tuple[MetricValue, bool]:
    """Keep a data point of a key result, sent `by` a token's name, a person or its source;
    whether it became the current value (it is the newest one) comes with it.

    The history entry is by `actor` when a person sent it, else by `by_name` (default `by`).
    """
    now = timezone.now()
    at = now if at is None else at
    note = (note or "").strip()
    _check(value, at, note, now)
    at = min(at, now)
    with transaction.atomic():
        # Locked in the order check-ins lock them: the goal, then its key result.
        goal = Goal.objects.select_for_update().filter(pk=key_result.goal_id).first()
        current = KeyResult.objects.select_for_update().filter(pk=key_result.pk).first()
        if goal is None or current is None:
            raise NotFound()
        if goal.status in CLOSED_STATUSES:
            raise Conflict(
                f"“{goal.title}” is {goal.get_status_display().lower()}: its key results take "
                "no more values."
            )
        newest = not (
            MetricValue.objects.filter(key_result=current, at__gt=at).exists()
            or CheckInValue.objects.filter(key_result=current, check_in__created_at__gt=at).exists()
        )
        point = MetricValue.objects.create(
            key_result=current,
            value=value,
            previous=current.current,
            at=at,
            note=note,
            by=by[: MetricValue._meta.get_field("by").max_length],
            token=token,
        )
        if newest:
            _move_current(current, goal, value, actor=actor, by_name=by_name or by, note=note)
    return point, newest


def _move_current(
    key_result: KeyResult,
    goal: Goal,
    value: Decimal,
    *,
    actor: User | None,
    by_name: str,
    note: str,
) -> None:
    """The key result takes the value; its goal's history keeps the move, progress rolls up,
    and the product's hooks hear of it."""
    changed = model_update(key_result, {"current": value})
    if not changed:
        return
    old, new = changed["current"]
    GoalChange.objects.create(
        goal_id=key_result.goal_id,
        by=actor,
        by_name="" if actor else by_name[: GoalChange._meta.get_field("by_name").max_length],
        changes={
            key_result_history.field_key(key_result.title, "current"): [
                json_number(old),
                json_number(new),
            ]
        },
        reason=note,
    )
    recompute_progress(goal_ids=[key_result.goal_id])
    announce_key_result(
        key_result=key_result, goal=goal, actor=actor, change="changed",
        key=f"{key_result.pk}:{key_result.version}",
    )  # fmt: skip


def _check(value: Decimal, at: datetime, note: str, now: datetime) -> None:
    errors = Errors()
    if (
        not value.is_finite()
        or abs(value) >= MEASURE_LIMIT
        or value != value.quantize(Decimal(1).scaleb(-MEASURE_PLACES))
    ):
        errors.add("value", VALUE_MESSAGE)
    if at > now + CLOCK_SKEW:
        errors.add("at", FUTURE_MESSAGE)
    if len(note) > NOTE_MAX_LENGTH:
        errors.add("note", f"Keep the note to {NOTE_MAX_LENGTH} characters or fewer.")
    errors.raise_if_any()
