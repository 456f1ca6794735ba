"""The Celery app. Every periodic job lives in `app.conf.beat_schedule` below."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goalchain.settings")

app = Celery("goalchain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
)
app.conf.beat_schedule = {
    # Each product's reminder hour is local to its organisation: every quarter of an hour
    # the jobs send what has come due (the unique keys make a repeated run send nothing).
    "review-reminders": {
        "task": "goals.tasks.send_review_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "weekly-review-summaries": {
        "task": "goals.tasks.send_weekly_review_summaries",
        "schedule": crontab(minute="*/15"),
    },
    "feedback-rounds": {
        "task": "goals.tasks.run_feedback_rounds",
        "schedule": crontab(minute="*/15"),
    },
    "daily-digests": {
        "task": "goals.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # One health snapshot per product a day; hourly, so a day missed while beat was down
    # is still recorded (a day already recorded is left alone).
    "health-snapshots": {
        "task": "goals.tasks.record_health_snapshots",
        "schedule": crontab(minute=5),
    },
    # Webhook deliveries are queued as their events commit; every minute the sweep sends
    # those due for a retry and those a worker dropped (goals/services/deliveries.py).
    "webhook-deliveries": {
        "task": "goals.tasks.send_due_webhook_deliveries",
        "schedule": crontab(),
    },
    # Key results' data sources, each read hourly or daily: what is due is read within five
    # minutes (a source read twice at once records once).
    "metric-sources": {
        "task": "goals.tasks.fetch_due_metric_sources",
        "schedule": crontab(minute="*/5"),
    },
}
app.autodiscover_tasks()
