"""The feedback loop's messages, each sent exactly once.

- before a review: the goal's owner and its key results' owners, `remind_days_before` days
  ahead, at the schedule's hour in the organisation's time zone;
- the day after a review was due and nobody checked in: the product's leaders;
- at a sprint's end: its goal's owner, for the met / not met verdict;
- on Mondays: the product's leaders, a summary of last week's reviews;
- when a goal is achieved: every member of the product, the win.

Every message is claimed under its key (goal or product, kind, due date, person) as a
`ReminderSent` row in the transaction that sends it. A second run, a second beat process or
a retry after a worker died finds the key taken and sends nothing; a run that fails before
its commit leaves the key free for the next one, so nothing is skipped either. The only
window left is between the mail server accepting a message and the commit (microseconds);
the message's Message-ID is derived from the key, so a receiving server can drop a repeat.

People's notification preferences are honoured: the message always lands in their inbox,
and by email right away, in the daily digest, or not at all, as they chose.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from smtplib import SMTPException
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from goals.emails import day_text, send_templated_email
from goals.models import (
    IN_REVIEW_LOOP,
    EmailFrequency,
    Goal,
    GoalChange,
    KeyResult,
    Level,
    NotificationKind,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
    ReminderKind,
    ReminderSent,
    ReviewSchedule,
    Status,
    User,
)
from goals.reviews import weekly_summary
from goals.schedule import local_moment, local_today, review_due, week_start
from goals.services.notifications import notify, preference_links, unsubscribe_headers
from goals.services.reviews import MAX_REMIND_DAYS_BEFORE

logger = logging.getLogger(__name__)

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


# Selecting what is due ----------------------------------------------------------------------


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


# Sending -----------------------------------------------------------------------------------


class SendFailed(SMTPException):
    """The mail server refused some messages; their keys stay free for the retry."""


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send every goal reminder that is due; returns how many were sent now."""
    now = now or timezone.now()
    return _send_all(due_goal_reminders(now=now), now)


def send_due_weekly_summaries(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return _send_all(due_weekly_summaries(now=now), now)


def _send_all(dues: list[Due], now: datetime) -> int:
    """Send each message in its own transaction. A message the mail server refuses does not
    hold up the others; a server that cannot be reached stops the run. Either way the run
    ends with the error, so that the task is retried with backoff."""
    sent, failed = 0, 0
    for due in dues:
        try:
            sent += send(due, now=now)
        except SMTPException as error:
            failed += 1
            logger.warning("Could not send %s: %s", due, error)
        except OSError:
            logger.warning("The mail server cannot be reached; %s left for the retry", due)
            raise
    if failed:
        raise SendFailed(f"{failed} of {len(dues)} messages could not be sent.")
    return sent


def send(due: Due, *, now: datetime | None = None) -> bool:
    """Claim one message's key and send it, in one transaction; False if it is not (or no
    longer) due, or someone else claimed it first."""
    now = now or timezone.now()
    with transaction.atomic():
        recipient = User.objects.filter(pk=due.recipient_id, is_active=True).first()
        if recipient is None:
            return False
        message = _compose(due, recipient, now)
        if message is None:
            return False
        emailed = recipient.email_notifications == EmailFrequency.IMMEDIATELY
        if not _claim(due, emailed=emailed):
            return False
        notify(
            recipients=[recipient.pk],
            kind=message.notification_kind,
            event=f"{due.kind}:{due.goal_id or f'product-{due.product_id}'}:{due.due_on}",
            actor=message.actor,
            product_id=due.product_id,
            goal_id=due.goal_id,
            text=message.text,
            url=message.path,
            emailed=emailed,
        )
        if emailed:
            # Last, right before the commit: the window for a crash between the two is tiny.
            send_templated_email(
                to=recipient.email,
                template=message.template,
                context={
                    **message.context,
                    "recipient": recipient,
                    "path": message.path,
                    **preference_links(recipient),
                },
                headers={**unsubscribe_headers(recipient), "Message-ID": message_id(due)},
            )
    return True


def _claim(due: Due, *, emailed: bool) -> bool:
    """Insert the message's key; a key someone else holds (even uncommitted: the insert
    waits for their transaction) means it is theirs to send."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                product_id=due.product_id,
                goal_id=due.goal_id,
                kind=due.kind,
                due_on=due.due_on,
                recipient_id=due.recipient_id,
                emailed=emailed,
            )
    except IntegrityError:
        return False
    return True


def message_id(due: Due) -> str:
    """The Message-ID of the message claimed under `due`'s key: the same on every attempt."""
    host = urlsplit(settings.SITE_URL).hostname or "goalchain.localhost"
    subject = f"goal-{due.goal_id}" if due.goal_id else f"product-{due.product_id}"
    return f"<{due.kind}.{subject}.{due.due_on:%Y%m%d}.{due.recipient_id}@{host}>"


@dataclass
class _Message:
    template: str
    notification_kind: str
    text: str
    path: str
    context: dict[str, Any]
    actor: User | None = None


def _compose(due: Due, recipient: User, now: datetime) -> _Message | None:
    """What to send for `due`, read now inside the sending transaction; None when what it
    reminds of has changed since it was selected (say, someone checked in meanwhile)."""
    if due.kind == ReminderKind.WEEKLY_SUMMARY:
        return _weekly_summary(due, now)
    if due.goal_id is None:
        return None
    goal = (
        Goal.objects.select_related("product__organization", "owner").filter(pk=due.goal_id).first()
    )
    if goal is None:
        return None
    today = local_today(goal.product.organization.time_zone, now)
    if due.kind == ReminderKind.WIN:
        return _win(goal) if goal.status == Status.ACHIEVED else None
    if not goal.in_review_loop:
        return None
    if due.kind == ReminderKind.SPRINT_VERDICT:
        if goal.sprint_verdict or goal.ends_on != due.due_on:
            return None
        return _Message(
            "sprint_verdict",
            NotificationKind.SPRINT_VERDICT,
            f"The sprint of “{goal.title}” ended on {day_text(due.due_on)}: was its goal met?",
            reverse("goal", args=[goal.pk]) + "#verdict",
            {"goal": goal, "product": goal.product},
        )
    if goal.next_review_on != due.due_on:
        return None
    due_in = review_due(goal.next_review_on, today)
    assert due_in is not None
    context = {"goal": goal, "product": goal.product, "due": due_in, "review_on": due.due_on}
    path = reverse("check-in", args=[goal.pk])
    if due.kind == ReminderKind.REVIEW_DUE:
        text = f"“{goal.title}”: {due_in.text} ({day_text(due.due_on)}); time to check in"
        return _Message("review_due", NotificationKind.REVIEW_DUE, text, path, context)
    text = f"“{goal.title}”: {due_in.text}; nobody has checked in yet"
    return _Message("review_overdue", NotificationKind.REVIEW_OVERDUE, text, path, context)


def _win(goal: Goal) -> _Message:
    closing = _closing_change(goal)
    return _Message(
        "win",
        NotificationKind.WIN,
        f"A win: “{goal.title}” is achieved",
        reverse("goal", args=[goal.pk]),
        {"goal": goal, "product": goal.product, "closed_by": closing.by if closing else None},
        actor=closing.by if closing else None,
    )


def _weekly_summary(due: Due, now: datetime) -> _Message | None:
    product = Product.objects.select_related("organization").filter(pk=due.product_id).first()
    if product is None:
        return None
    summary = weekly_summary(product, now=now)
    text = (
        f"Reviews in {product.name} last week: {len(summary.reviewed)} done, "
        f"{len(summary.overdue)} overdue, {len(summary.dropping)} with dropping confidence"
    )
    return _Message(
        "weekly_summary",
        NotificationKind.WEEKLY_SUMMARY,
        text,
        reverse("review-meeting", args=[product.pk]),
        {"product": product, "summary": summary},
    )


# Wins ---------------------------------------------------------------------------------------


def win_dues(*, goal_id: int) -> list[Due]:
    """The announcement of an achieved goal to each member of its product but the closer.

    Its key's date is the day it was closed as achieved, so an announcement goes once
    however often its task runs (a goal reopened and achieved again on another day is a
    new win)."""
    goal = Goal.objects.select_related("product__organization").filter(pk=goal_id).first()
    if goal is None or goal.status != Status.ACHIEVED:
        return []
    closing = _closing_change(goal)
    if closing is None:
        return []
    day = local_today(goal.product.organization.time_zone, closing.at)
    members = ProductMembership.objects.filter(product_id=goal.product_id, user__is_active=True)
    if closing.by_id is not None:
        members = members.exclude(user_id=closing.by_id)
    return _dues(ReminderKind.WIN, goal, day, members.values_list("user_id", flat=True))


def announce_win(*, goal_id: int) -> int:
    """Send the win of an achieved goal to whoever has not had it yet."""
    return _send_all(win_dues(goal_id=goal_id), timezone.now())


def _closing_change(goal: Goal) -> GoalChange | None:
    """The history entry that closed the goal as achieved (the latest, if reopened)."""
    return (
        goal.changes.filter(changes__status__1=Status.ACHIEVED)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
