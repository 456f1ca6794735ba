"""A small run of bench/webhooks_chaos.py: signed deliveries through a real Celery worker on
Redis and PostgreSQL, the worker killed with SIGKILL mid-request, every event arriving under
one webhook-id."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from bench._chaos_worker import database_url_of
from goalchain.celery import app
from tests.conftest import skip_or_fail
from tests.goals.test_reminders_chaos import load_bench


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_every_event_arrives_once_though_the_worker_is_killed_mid_delivery(tmp_path):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    if not os.getenv("REDIS_URL"):
        skip_or_fail("needs Redis: set REDIS_URL")
    app.conf.task_always_eager = False  # queued for real; the autouse fixture resets it
    chaos = load_bench("webhooks_chaos")

    result = chaos.run_chaos(
        events=30,
        kills=1,
        workdir=tmp_path,
        database_url=database_url_of(connection.settings_dict),
        redis_url=os.environ["REDIS_URL"],
        timeout=300,
    )

    assert len(result.killed_at) == 1
    assert (result.distinct, result.missing, result.undelivered) == (30, 0, 0)
    # Only what the two pool processes had in flight at the kill can come twice, and it
    # comes under the id the receiver already has.
    assert result.repeats <= 2
    assert result.received == 30 + result.repeats
