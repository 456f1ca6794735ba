"""The Celery app. Every periodic job lives in `app.conf.beat_schedule` below."""

import os

from celery import Celery

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
app.conf.beat_schedule = {}
app.autodiscover_tasks()
