"""Celery tasks of the goals app: thin, given ids, safe to run twice."""

from __future__ import annotations

from datetime import date
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from accounts import password_reset
from goals.selectors.boards import products_without_snapshot
from goals.selectors.metrics import due_metric_sources
from goals.services import (
    boards,
    deliveries,
    feedback,
    invitations,
    metric_sources,
    notifications,
    reminders,
)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_invitation_email(invitation_id: int) -> None:
    invitations.invitation_email_send(invitation_id=invitation_id)


@shared_task(
    acks_late=True, autoretry_for=(OSError, SMTPException), retry_backoff=True, max_retries=6
)
def send_password_reset_email(email: str) -> None:
    """Look the account up and mail its reset link: here rather than in the page, so that
    the page answers alike whether or not the account exists."""
    password_reset.send_reset_link(email=email)


# Notifications and feedback rounds. Each task loads ids and calls a service that claims what
# it sends in the same transaction, so a task running twice sends nothing twice.


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_notification_email(notification_id: int) -> None:
    notifications.email_notification(notification_id=notification_id)


@shared_task(acks_late=True)
def send_daily_digests() -> None:
    """Beat, once a day: queue a digest for everyone on the daily digest with news."""
    day = timezone.localdate().isoformat()
    for user_id in notifications.digest_recipients():
        send_digest.delay(user_id, day)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_digest(user_id: int, day: str) -> None:
    notifications.send_digest(user_id=user_id, day=date.fromisoformat(day))


@shared_task(acks_late=True)
def run_feedback_rounds() -> None:
    """Beat, every quarter of an hour: due reminders, then rounds whose deadline is over."""
    feedback.feedback_remind_due()
    feedback.feedback_close_due()
    for feedback_round_id in feedback.feedback_summaries_unsent():
        send_feedback_summary.delay(feedback_round_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_feedback_summary(feedback_round_id: int) -> None:
    feedback.email_feedback_summary(feedback_round_id=feedback_round_id)


# The feedback loop: review reminders, overdue notices, sprint verdicts, weekly summaries and
# wins. Each message is claimed under a unique key in the transaction that sends it
# (goals/services/reminders.py), so a run repeated for any reason sends nothing twice; a run
# that fails leaves what it did not send to the retry, with backoff.


@shared_task(
    acks_late=True, autoretry_for=(OSError, SMTPException), retry_backoff=True, max_retries=6
)
def send_review_reminders() -> None:
    """Beat, every quarter of an hour: reminders before reviews, overdue notices to leaders
    and verdict prompts at sprints' ends, at each organisation's local hour."""
    reminders.send_due_reminders()


@shared_task(
    acks_late=True, autoretry_for=(OSError, SMTPException), retry_backoff=True, max_retries=6
)
def send_weekly_review_summaries() -> None:
    """Beat, every quarter of an hour: on Mondays from the local hour, last week's summary."""
    reminders.send_due_weekly_summaries()


@shared_task(
    acks_late=True, autoretry_for=(OSError, SMTPException), retry_backoff=True, max_retries=6
)
def announce_win(goal_id: int) -> None:
    reminders.announce_win(goal_id=goal_id)


# The health dashboard's trend: one snapshot per product a day. The beat runs every hour so
# that a day missed while beat was down is still recorded; each product's task records its
# day once, so the hourly runs after the first, or two at once, change nothing.


@shared_task(acks_late=True)
def record_health_snapshots() -> None:
    """Beat, every hour: queue a snapshot of today's health for each product not recorded."""
    day = timezone.localdate()
    for product_id in products_without_snapshot(day):
        record_health_snapshot.delay(product_id, day.isoformat())


@shared_task(acks_late=True)
def record_health_snapshot(product_id: int, day: str) -> None:
    boards.health_snapshot_record(product_id=product_id, day=date.fromisoformat(day))


# Webhooks and chat hooks: each delivery is sent once its event commits, and again by the
# sweep when an attempt failed or a worker died holding it (goals/services/deliveries.py).


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> None:
    deliveries.delivery_send(delivery_id=delivery_id)


@shared_task(acks_late=True)
def send_due_webhook_deliveries() -> None:
    """Beat, every minute: queue the deliveries whose next attempt is due."""
    for delivery_id in deliveries.deliveries_due():
        deliver_webhook.delay(delivery_id)


# Key results' data sources. Beat queues each due source; its fetch claims the source before
# reading it (goals/services/metric_sources.py), so a fetch queued twice records once.


@shared_task(acks_late=True)
def fetch_due_metric_sources() -> None:
    """Beat, every five minutes: queue a fetch of each data source whose time has come."""
    for source_id in due_metric_sources(timezone.now()):
        fetch_metric_source.delay(source_id)


@shared_task(acks_late=True)
def fetch_metric_source(source_id: int) -> None:
    metric_sources.metric_source_fetch(source_id=source_id)
