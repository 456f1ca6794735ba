"""A small run of bench/reminders_chaos.py: reminders through a real Celery worker on Redis
and PostgreSQL, the worker killed with SIGKILL mid-run, every reminder sent exactly once."""

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
def test_reminders_are_sent_exactly_once_though_the_worker_is_killed(tmp_path):
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
    assert (result.recorded, result.duplicates, result.missing) == (60, 0, 0)
    assert result.claimed == 60
