"""The review schedule of a product, and the review dates it gives its goals.

Each level of the chain has a cadence; a goal's next review is one period after it was
agreed, and one period after each check-in. Days are counted in the organisation's time
zone (see goals/rules/schedule.py for the maths).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from goalchain.queue import enqueue
from goals.errors import Errors
from goals.models import (
    CLOSED_STATUSES,
    Cadence,
    Goal,
    Level,
    Product,
    ReviewSchedule,
    Status,
    User,
)
from goals.rules.schedule import MAX_REMIND_DAYS_BEFORE, next_review, product_today
from goals.selectors.reviews import schedule_of
from goals.services.versioning import check_version, model_update

SCHEDULE_FIELDS = {f"{level}_cadence": level for level in Level.values}


def schedule_update(
    *, actor: User, product: Product, data: dict[str, Any], version: int | None = None
) -> ReviewSchedule:
    """Change cadences per level, the days before a review owners are reminded, and the
    hour reminders go out. Fields not given keep their value; a stale `version` is refused."""
    errors = Errors()
    for level in Level.values:
        value = data.get(level)
        if value is not None and value not in Cadence.values:
            errors.add(level, f"Choose one of: {', '.join(Cadence.values)}.")
    days = data.get("remind_days_before")
    if days is not None and not 0 <= days <= MAX_REMIND_DAYS_BEFORE:
        errors.add(
            "remind_days_before", f"Remind 0 to {MAX_REMIND_DAYS_BEFORE} days before a review."
        )
    hour = data.get("reminder_hour")
    if hour is not None and not 0 <= hour <= 23:
        errors.add("reminder_hour", "Choose an hour from 0 to 23.")
    errors.raise_if_any()
    with transaction.atomic():
        schedule = _locked_schedule(product)
        check_version(schedule, version)
        values = {f"{level}_cadence": data.get(level) for level in Level.values}
        values |= {name: data.get(name) for name in ("remind_days_before", "reminder_hour")}
        model_update(schedule, {name: v for name, v in values.items() if v is not None})
    return schedule


def _locked_schedule(product: Product) -> ReviewSchedule:
    """The product's schedule row, locked; created with the defaults on first change."""
    schedule = ReviewSchedule.objects.select_for_update().filter(product=product).first()
    if schedule is not None:
        return schedule
    try:
        with transaction.atomic():
            return ReviewSchedule.objects.create(product=product)
    except IntegrityError:  # someone else created it a moment ago
        return ReviewSchedule.objects.select_for_update().get(product=product)


def review_after(
    *, product: Product, level: str, day: date | None = None, schedule: ReviewSchedule | None = None
) -> date | None:
    """The next review of a goal at `level` reviewed (or agreed) on `day` (default: today)."""
    schedule = schedule or schedule_of(product)
    return next_review(day or product_today(product), schedule.cadence(level))


def first_review(*, goal: Goal, previous_status: str | None, previous_review: date | None) -> None:
    """A goal that becomes agreed gets its first review date from the schedule, unless
    someone set one in the same change; a finished goal (closed, or a judged sprint) has
    none: it left the review loop."""
    if goal.status in CLOSED_STATUSES or goal.sprint_verdict:
        goal.next_review_on = None
        return
    became_agreed = goal.status == Status.AGREED and previous_status != Status.AGREED
    if became_agreed and goal.next_review_on == previous_review:
        goal.next_review_on = review_after(product=goal.product, level=goal.level)


def goal_closed(*, goal: Goal, previous_status: str) -> None:
    """After a goal is closed as achieved, its win is announced to the product's members
    once the change is committed."""
    if goal.status == Status.ACHIEVED and previous_status != Status.ACHIEVED:
        enqueue("goals.tasks.announce_win", goal.pk)
