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
window left is between the mail server accepting a message and the commit (the commit's
round trip, a fraction of a millisecond): a worker killed in it sends that message again on
the retry, under the same Message-ID, derived from the key, so a receiving server can drop
the repeat. `bench/reminders_chaos.py` kills workers mid-run and holds the repeats to that.

People's notification preferences are honoured: the message always lands in their inbox,
and by email right away, in the daily digest, or not at all, as they chose.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from smtplib import SMTPException
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goals.emails import day_text, send_templated_email
from goals.models import (
    EmailFrequency,
    Goal,
    NotificationKind,
    Product,
    ReminderKind,
    ReminderSent,
    Status,
    User,
)
from goals.rules.schedule import (
    local_today,
    review_due,
)
from goals.selectors.notifications import preference_links, unsubscribe_headers
from goals.selectors.reminders import (
    Due,
    closing_change,
    due_goal_reminders,
    due_weekly_summaries,
    message_id,
    win_dues,
)
from goals.selectors.reviews import weekly_summary
from goals.services.notifications import notify
from goals.services.webhooks import announce_review_overdue

logger = logging.getLogger(__name__)


# Sending -----------------------------------------------------------------------------------


class SendFailed(SMTPException):
    """The mail server refused some messages; their keys stay free for the retry."""


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send every goal reminder that is due; returns how many were sent now."""
    now = now or timezone.now()
    return _send_all(due_goal_reminders(now=now), now)


def send_due_weekly_summaries(*, now: datetime | None = None) -> int:
    """Send every weekly review summary that is due; returns how many went out."""
    now = now or timezone.now()
    return _send_all(due_weekly_summaries(now=now), now)


def _send_all(dues: list[Due], now: datetime) -> int:
    """Send each message in its own transaction. A message the mail server refuses does not
    hold up the others; a server that cannot be reached stops the run. Either way the run
    ends with the error, so that the task is retried with backoff."""
    sent, failed = 0, 0
    for due in dues:
        try:
            sent += send(due=due, now=now)
        except SMTPException as error:
            failed += 1
            logger.warning("Could not send %s: %s", due, error)
        except OSError:
            logger.warning("The mail server cannot be reached; %s left for the retry", due)
            raise
    if failed:
        raise SendFailed(f"{failed} of {len(dues)} messages could not be sent.")
    return sent


def send(*, due: Due, now: datetime | None = None) -> bool:
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
        if due.kind == ReminderKind.REVIEW_OVERDUE and due.goal_id is not None:
            announce_review_overdue(
                product_id=due.product_id, goal_id=due.goal_id, due_on=due.due_on
            )
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
    closing = closing_change(goal)
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


def announce_win(*, goal_id: int) -> int:
    """Send the win of an achieved goal to whoever has not had it yet."""
    return _send_all(win_dues(goal_id=goal_id), timezone.now())
