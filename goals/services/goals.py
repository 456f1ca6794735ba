"""Writes to goals: create, update, delete, with the chain's rules and the goal's history."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from goals.errors import DomainError, Errors, still_referenced
from goals.markdown import render_markdown
from goals.models import (
    CLOSED_STATUSES,
    Goal,
    GoalChange,
    GoalLink,
    Level,
    Product,
    ProductMembership,
    Status,
    User,
)
from goals.rules.links import Linked, parent_errors
from goals.rules.statuses import WAYS_TO_AGREE, check_status_change
from goals.rules.timeframes import timeframe_errors
from goals.services.progress import recompute_progress
from goals.services.reviews import first_review, goal_closed
from goals.services.versioning import check_version, save_versioned
from goals.services.webhooks import announce_goal
from goals.wording import FIELD_WORDS

# Fields of an agreed goal that only change with a stated reason.
REASON_REQUIRED_FIELDS = ("title", "description", "starts_on", "ends_on", "parents")
# Those fields in the words of the goal form, for the messages that name them.
REASON_REQUIRED_WORDS = {
    "title": "title",
    "description": "description",
    "starts_on": "start date",
    "ends_on": "end date",
    "parents": "the goals it serves",
}
EDITABLE_FIELDS = (
    "title",
    "description",
    "owner",
    "status",
    "starts_on",
    "ends_on",
    "confidence",
    "next_review_on",
    "outcome_note",
)
_NO_VALUE = object()


def goal_create(
    *,
    actor: User,
    product: Product,
    level: str,
    title: str,
    description: str = "",
    owner: User | object | None = _NO_VALUE,
    status: str = Status.DRAFT,
    starts_on: date | None = None,
    ends_on: date | None = None,
    confidence: int | None = None,
    next_review_on: date | None = None,
    outcome_note: str = "",
    parents: Iterable[Goal] = (),
) -> Goal:
    """Create a goal in the chain; the creator owns it unless someone else is named.

    A new goal is never agreed: agreement is granted afterwards (goals/services/agreement.py)."""
    if owner is _NO_VALUE:
        owner = actor if _is_member(product, actor) else None
    goal = Goal(
        product=product,
        level=level,
        title=title,
        description=description,
        owner=cast("User | None", owner),
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        confidence=confidence,
        next_review_on=next_review_on,
        outcome_note=outcome_note,
        created_by=actor,
    )
    parent_list = list(parents)
    errors = Errors()
    if level not in Level.values:
        errors.add("level", f"Choose one of: {', '.join(Level.values)}.")
        errors.raise_if_any()
    if status == Status.AGREED:
        errors.add("status", WAYS_TO_AGREE)
    elif status in (Status.ACHIEVED, Status.MISSED):
        errors.add("status", "A new goal cannot be closed yet; agree on it first.")
    _check_goal(goal, parent_list, errors)
    errors.raise_if_any()
    first_review(goal=goal, previous_status=None, previous_review=None)
    goal.description_html = render_markdown(description)
    with transaction.atomic():
        _save_new(goal)
        GoalLink.objects.bulk_create(GoalLink(child=goal, parent=p) for p in parent_list)
        GoalChange.objects.create(
            goal=goal,
            by=actor,
            changes={f: [None, v] for f, v in _snapshot(goal, parent_list).items()},
        )
        recompute_progress(goal_ids=[goal.pk])
        announce_goal(event="goal.created", goal=goal, actor=actor, key=str(goal.pk))
    return goal


def goal_update(
    *,
    actor: User,
    goal: Goal,
    data: dict[str, Any],
    version: int | None = None,
    change_reason: str = "",
) -> Goal:
    """Change a goal's fields and/or parents; agreed goals need a reason, closing needs a note."""
    with transaction.atomic():
        current = Goal.objects.select_for_update().select_related("product").get(pk=goal.pk)
        check_version(current, version)
        old_parents = list(current.parents.order_by("id"))
        before = _snapshot(current, old_parents)
        old_status = current.status
        old_review = current.next_review_on

        new_parents = old_parents
        for field, value in data.items():
            if field == "title" and isinstance(value, str):
                value = value.strip()
            if field == "parents":
                new_parents = sorted(value, key=lambda p: p.pk)
            elif field in EDITABLE_FIELDS:
                setattr(current, field, value)
        first_review(goal=current, previous_status=old_status, previous_review=old_review)
        after = _snapshot(current, new_parents)
        changes = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
        if not changes:
            return current

        errors = Errors()
        if old_status == Status.AGREED and not change_reason.strip():
            needing = [REASON_REQUIRED_WORDS[f] for f in REASON_REQUIRED_FIELDS if f in changes]
            if needing:
                errors.add(
                    "change_reason", f"This goal is agreed: say why you change {_listed(needing)}."
                )
        if "status" in changes:
            check_status_change(old_status, current, errors)
        _check_goal(current, new_parents, errors, linked={p.pk for p in old_parents})
        errors.raise_if_any()

        if "description" in changes:
            current.description_html = render_markdown(current.description)
        fields = [f for f in changes if f != "parents"]
        if "description" in changes:
            fields.append("description_html")
        _save_existing(current, fields)
        if "parents" in changes:
            GoalLink.objects.filter(child=current).delete()
            GoalLink.objects.bulk_create(GoalLink(child=current, parent=p) for p in new_parents)
        change = GoalChange.objects.create(
            goal=current, by=actor, changes=changes, reason=change_reason.strip()
        )
        _announce_change(current, actor, change, closing=current.status in CLOSED_STATUSES)
        goal_closed(goal=current, previous_status=old_status)
        if {"parents", "status"} & changes.keys():
            stale = {current.pk, *(p.pk for p in old_parents), *(p.pk for p in new_parents)}
            recompute_progress(goal_ids=stale)
            current.refresh_from_db(fields=["progress"])
    return current


def _announce_change(goal: Goal, actor: User, change: GoalChange, *, closing: bool) -> None:
    """Tell the hooks: a goal closed (its outcome note and review date go with it), or what
    changed, in the pages' words."""
    if "status" in change.changes and closing:
        announce_goal(
            event="goal.closed", goal=goal, actor=actor, key=str(change.pk),
            outcome=goal.status, outcome_note=goal.outcome_note,
        )  # fmt: skip
        return
    changed = [FIELD_WORDS[f] for f in change.changes if f in FIELD_WORDS]
    announce_goal(
        event="goal.changed", goal=goal, actor=actor, key=str(change.pk),
        changed=changed, reason=change.reason,
    )  # fmt: skip


def goal_delete(*, actor: User, goal: Goal) -> None:
    """Delete a goal that was never agreed; agreed goals are dropped instead, keeping history."""
    if goal.status not in (Status.DRAFT, Status.PROPOSED):
        raise DomainError(
            "Only draft or proposed goals can be deleted; set an agreed goal's status to "
            "'dropped' instead so its history stays."
        )
    try:
        with transaction.atomic():
            parent_ids = list(
                GoalLink.objects.filter(child=goal).values_list("parent_id", flat=True)
            )
            goal.delete()
            recompute_progress(goal_ids=parent_ids)
    except (ProtectedError, RestrictedError) as error:
        # e.g. a workshop will hang its adopted goal under this one.
        raise DomainError(
            f"This goal is still in use ({still_referenced(error)}); set its status to 'dropped' "
            "instead."
        ) from None


def _check_goal(
    goal: Goal, parents: list[Goal], errors: Errors, *, linked: AbstractSet[int] = frozenset()
) -> None:
    title = (goal.title or "").strip()
    if not title:
        errors.add("title", "Give the goal a title.")
    elif len(title) > 300:
        errors.add("title", "Keep the title under 300 characters.")
    goal.title = title

    for message in timeframe_errors(goal.level, goal.starts_on, goal.ends_on):
        errors.add("ends_on", message)

    if goal.confidence is not None and not 1 <= goal.confidence <= 5:
        errors.add("confidence", "Confidence is 1 (not sure at all) to 5 (certain).")

    if goal.owner_id is not None and not _is_member(goal.product, goal.owner):
        errors.add("owner", "The owner must be a member of this product.")

    _check_parents(goal, parents, errors, linked=linked)

    if goal.status in (Status.ACHIEVED, Status.MISSED) and not goal.outcome_note.strip():
        errors.add(
            "outcome_note",
            "Write a short outcome note: what was achieved, or what got in the way.",
        )

    if goal.level == Level.VISION and goal.status != Status.DROPPED:
        others = Goal.objects.filter(product_id=goal.product_id, level=Level.VISION).exclude(
            status=Status.DROPPED
        )
        if goal.pk:
            others = others.exclude(pk=goal.pk)
        if others.exists():
            errors.add(
                "level",
                "This product already has a vision. Drop it first, or edit it instead.",
            )


def _check_parents(
    goal: Goal, parents: list[Goal], errors: Errors, *, linked: AbstractSet[int]
) -> None:
    """`linked` are the parents the goal already has (see `parent_errors`)."""
    for message in parent_errors(_linked(goal), [_linked(p) for p in parents], kept=linked):
        errors.add("parents", message)


def _linked(goal: Goal) -> Linked:
    return Linked(goal.pk, goal.title, goal.level, goal.status, goal.product_id)


def _is_member(product: Product, user: User | None) -> bool:
    if user is None:
        return False
    return ProductMembership.objects.filter(product_id=product.pk, user_id=user.pk).exists()


def _snapshot(goal: Goal, parents: list[Goal]) -> dict[str, Any]:
    """The goal's tracked fields as JSON-friendly values, for its history."""
    values: dict[str, Any] = {}
    for field in EDITABLE_FIELDS:
        if field == "owner":
            values["owner"] = goal.owner_id
        else:
            value = getattr(goal, field)
            values[field] = value.isoformat() if isinstance(value, date) else value
    values["parents"] = sorted(p.pk for p in parents)
    return values


def _save_new(goal: Goal) -> None:
    try:
        with transaction.atomic():
            goal.save()
    except IntegrityError as error:
        # Two requests raced to create the product's vision: the constraint decides.
        if "vision" in str(error).lower() or goal.level == Level.VISION:
            raise DomainError({"level": ["This product already has a vision."]}) from error
        raise


def _save_existing(goal: Goal, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            save_versioned(goal, fields)
    except IntegrityError as error:
        if goal.level == Level.VISION:
            raise DomainError({"level": ["This product already has a vision."]}) from error
        raise


def _listed(words: list[str]) -> str:
    """ "its title", "its start date and end date", "its title, description and end date"."""
    text = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return text if text.startswith("the ") else f"its {text}"
