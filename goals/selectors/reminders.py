"""Reads of the feedback loop's messages: which reminders, weekly summaries and wins are due,
and to whom. `goals.services.reminders` claims and sends them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from goals.models import (
    IN_REVIEW_LOOP,
    Goal,
    GoalChange,
    KeyResult,
    Level,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
    ReminderKind,
    ReminderSent,
    ReviewSchedule,
    Status,
)
from goals.rules.schedule import (
    MAX_REMIND_DAYS_BEFORE,
    local_moment,
    local_today,
    week_start,
)

SUMMARY_CATCH_UP = timedelta(days=2)


GOAL_KINDS = (ReminderKind.REVIEW_DUE, ReminderKind.REVIEW_OVERDUE, ReminderKind.SPRINT_VERDICT)


@dataclass(frozen=True)
class Due:
    """One message whose moment has come: the key it is claimed under."""

    kind: str
    product_id: int
    goal_id: int | None
    due_on: date
    recipient_id: int


def due_goal_reminders(*, now: datetime | None = None) -> list[Due]:
    """Review reminders, overdue notices and sprint-verdict prompts due by `now` and unsent.

    Five queries whatever the number of goals: the candidate goals with their products,
    organisations and schedules; key result owners; product members; organisation admins
    (leaders where a product has none); the keys already claimed.
    """
    now = now or timezone.now()
    # No time zone is more than a day ahead of UTC: the widest window any of them needs.
    horizon = now.astimezone(UTC).date() + timedelta(days=MAX_REMIND_DAYS_BEFORE + 1)
    goals = list(
        # Closed goals and judged sprints left the review loop, whatever review date they
        # may still carry from before that rule.
        Goal.objects.filter(IN_REVIEW_LOOP)
        .filter(Q(next_review_on__lte=horizon) | Q(level=Level.SPRINT, ends_on__lte=horizon))
        .select_related("product__organization", "product__review_schedule")
        .order_by("next_review_on", "id")
    )
    if not goals:
        return []
    people = _People.load({g.product_id for g in goals}, [g.pk for g in goals])
    wanted: list[Due] = []
    for goal in goals:
        schedule = _schedule(goal.product)
        tz, hour = goal.product.organization.time_zone, schedule.reminder_hour
        today = local_today(tz, now)
        review_on = goal.next_review_on
        if review_on is not None:
            remind_on = review_on - timedelta(days=schedule.remind_days_before)
            if today <= review_on and now >= local_moment(remind_on, hour, tz):
                owners = people.owners(goal)
                wanted += _dues(ReminderKind.REVIEW_DUE, goal, review_on, owners)
            elif today > review_on and now >= local_moment(review_on + timedelta(1), hour, tz):
                leaders = people.leaders(goal.product)
                wanted += _dues(ReminderKind.REVIEW_OVERDUE, goal, review_on, leaders)
        ends_on = goal.ends_on
        if (
            goal.level == Level.SPRINT
            and not goal.sprint_verdict
            and ends_on is not None
            and now >= local_moment(ends_on, hour, tz)
        ):
            asked = [goal.owner_id] if goal.owner_id in people.members[goal.product_id] else []
            wanted += _dues(
                ReminderKind.SPRINT_VERDICT, goal, ends_on, asked or people.leaders(goal.product)
            )
    sent = set(
        ReminderSent.objects.filter(
            goal_id__in={d.goal_id for d in wanted},
            kind__in=GOAL_KINDS,
            due_on__in={d.due_on for d in wanted},
        ).values_list("kind", "goal_id", "due_on", "recipient_id")
    )
    return [d for d in wanted if (d.kind, d.goal_id, d.due_on, d.recipient_id) not in sent]


def due_weekly_summaries(*, now: datetime | None = None) -> list[Due]:
    """Each product with agreed goals: its leaders' summary, from Monday's reminder hour until
    Wednesday's end (a job that could not run on Monday catches up; a product started late
    in the week waits for the next Monday)."""
    now = now or timezone.now()
    products = list(
        Product.objects.filter(goals__status=Status.AGREED)
        .distinct()
        .select_related("organization", "review_schedule")
        .order_by("id")
    )
    if not products:
        return []
    people = _People.load({p.pk for p in products}, [])
    wanted = []
    for product in products:
        tz = product.organization.time_zone
        today = local_today(tz, now)
        monday = week_start(today)
        if today <= monday + SUMMARY_CATCH_UP and now >= local_moment(
            monday, _schedule(product).reminder_hour, tz
        ):
            wanted += [
                Due(ReminderKind.WEEKLY_SUMMARY, product.pk, None, monday, leader)
                for leader in people.leaders(product)
            ]
    sent = set(
        ReminderSent.objects.filter(
            goal__isnull=True,
            kind=ReminderKind.WEEKLY_SUMMARY,
            product_id__in={d.product_id for d in wanted},
            due_on__in={d.due_on for d in wanted},
        ).values_list("product_id", "due_on", "recipient_id")
    )
    return [d for d in wanted if (d.product_id, d.due_on, d.recipient_id) not in sent]


def _dues(kind: str, goal: Goal, due_on: date, recipients: Iterable[int]) -> list[Due]:
    return [Due(kind, goal.product_id, goal.pk, due_on, pk) for pk in sorted(set(recipients))]


def _schedule(product: Product) -> ReviewSchedule:
    """The schedule loaded with the product (select_related), or the defaults."""
    return getattr(product, "review_schedule", None) or ReviewSchedule(product=product)


@dataclass
class _People:
    """Who is who in the products concerned, loaded in three queries."""

    members: dict[int, set[int]]  # product id → active members' ids
    product_leaders: dict[int, list[int]]
    org_admins: dict[int, list[int]]
    key_result_owners: dict[int, set[int]]  # goal id → owners of its key results

    @classmethod
    def load(cls, product_ids: set[int], goal_ids: list[int]) -> _People:
        members: dict[int, set[int]] = defaultdict(set)
        leaders: dict[int, list[int]] = defaultdict(list)
        for product_id, user_id, role in ProductMembership.objects.filter(
            product_id__in=product_ids, user__is_active=True
        ).values_list("product_id", "user_id", "role"):
            members[product_id].add(user_id)
            if role == ProductRole.LEADER:
                leaders[product_id].append(user_id)
        admins: dict[int, list[int]] = defaultdict(list)
        for org_id, user_id in OrganizationMembership.objects.filter(
            organization__products__in=product_ids, role=OrgRole.ADMIN, user__is_active=True
        ).values_list("organization_id", "user_id"):
            admins[org_id].append(user_id)
        owners: dict[int, set[int]] = defaultdict(set)
        if goal_ids:
            for goal_id, owner_id in KeyResult.objects.filter(goal_id__in=goal_ids).values_list(
                "goal_id", "owner_id"
            ):
                owners[goal_id].add(owner_id)
        return cls(members, leaders, admins, owners)

    def owners(self, goal: Goal) -> set[int]:
        """The goal's owner and its key results' owners, if they are still in the product."""
        ids = {goal.owner_id, *self.key_result_owners.get(goal.pk, ())}
        return {pk for pk in ids if pk in self.members[goal.product_id]}

    def leaders(self, product: Product) -> list[int]:
        """The product's leaders; its organisation's admins when it has none."""
        return self.product_leaders.get(product.pk) or self.org_admins.get(
            product.organization_id, []
        )


def win_dues(*, goal_id: int) -> list[Due]:
    """The announcement of an achieved goal to each member of its product but the closer.

    Its key's date is the day it was closed as achieved, so an announcement goes once
    however often its task runs (a goal reopened and achieved again on another day is a
    new win)."""
    goal = Goal.objects.select_related("product__organization").filter(pk=goal_id).first()
    if goal is None or goal.status != Status.ACHIEVED:
        return []
    closing = closing_change(goal)
    if closing is None:
        return []
    day = local_today(goal.product.organization.time_zone, closing.at)
    members = ProductMembership.objects.filter(product_id=goal.product_id, user__is_active=True)
    if closing.by_id is not None:
        members = members.exclude(user_id=closing.by_id)
    return _dues(ReminderKind.WIN, goal, day, members.values_list("user_id", flat=True))


def closing_change(goal: Goal) -> GoalChange | None:
    """The history entry that closed the goal as achieved (the latest, if reopened)."""
    return (
        goal.changes.filter(changes__status__1=Status.ACHIEVED)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )


def message_id(due: Due) -> str:
    """The Message-ID of the message claimed under `due`'s key: the same on every attempt."""
    host = urlsplit(settings.SITE_URL).hostname or "goalchain.localhost"
    subject = f"goal-{due.goal_id}" if due.goal_id else f"product-{due.product_id}"
    return f"<{due.kind}.{subject}.{due.due_on:%Y%m%d}.{due.recipient_id}@{host}>"
