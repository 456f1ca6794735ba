"""A small run of bench/reminders_chaos.py: reminders through a real Celery worker on Redis
and PostgreSQL, the worker killed with SIGKILL mid-run, every reminder sent once (again only
if it was in flight at the kill, under the same Message-ID)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench._chaos_worker import database_url_of
from goalchain.celery import app
from tests.conftest import skip_or_fail

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_bench(name: str = "reminders_chaos"):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_reminders_are_sent_once_though_the_worker_is_killed(tmp_path):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    if not os.getenv("REDIS_URL"):
        skip_or_fail("needs Redis: set REDIS_URL")
    app.conf.task_always_eager = False  # queued for real; the autouse fixture resets it
    chaos = load_bench()

    result = chaos.run_chaos(
        reminders=60,
        kills=1,
        workdir=tmp_path,
        database_url=database_url_of(connection.settings_dict),
        redis_url=os.environ["REDIS_URL"],
        timeout=300,
    )

    assert len(result.killed_at) == 1
    # Every due message is sent, none that was not due; one can go again only if a worker
    # process had handed it to the mail server when the kill came, before its commit.
    assert (result.recorded - result.repeats, result.missing, result.unexpected) == (60, 0, 0)
    assert result.repeats <= chaos.WORKER_PROCESSES
    assert result.once
    assert result.claimed == 60


@pytest.mark.parametrize(
    ("recorded", "repeats", "missing", "unexpected", "once"),
    [
        (60, 0, 0, 0, True),
        (62, 2, 0, 0, True),  # both processes caught mid-send
        (63, 3, 0, 0, False),  # more than a kill can leave in flight
        (59, 0, 1, 0, False),
        (61, 0, 0, 1, False),
        (61, 0, 0, 0, False),  # a message counted twice is a repeat, or one nobody was due
    ],
)
def test_the_chaos_run_allows_a_repeat_only_for_what_was_in_flight(
    recorded, repeats, missing, unexpected, once
):
    chaos = load_bench()
    result = chaos.Result(
        expected=60,
        recorded=recorded,
        repeats=repeats,
        missing=missing,
        unexpected=unexpected,
        killed_at=[30],
    )
    assert result.once is once
