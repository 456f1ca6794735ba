"""What the chaos benches (bench/reminders_chaos.py, bench/webhooks_chaos.py) share: a scratch
PostgreSQL database with Django set up on it, and the Celery side: a real worker process that
can be killed with SIGKILL, the ticks beat would send, the wait until the worker is idle,
and the clean-up of the queue on Redis afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import django
import redis
from django.conf import settings
from django.db import connection
from kombu import Exchange, Queue

from goalchain.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent

# Runs in the worker process: the project's Celery app, consuming one queue of its own, onto
# which the tasks it queues go too.
WORKER = """
import sys
import django

django.setup()
from goalchain.celery import app

app.conf.task_default_queue = sys.argv[1]

app.worker_main([
    "worker", "--queues", sys.argv[1], "--pool", "prefork", "--concurrency", "2",
    "--loglevel", "WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat",
])
"""


class Worker:
    """A Celery worker in a process group of its own, so that a kill takes its pool too."""

    def __init__(self, queue: str, env: dict[str, str], log: Path) -> None:
        self.queue, self.env, self.log = queue, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", WORKER, self.queue],
                cwd=BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def tick(queue: str, times: int = 1, task: str = "goals.tasks.send_review_reminders") -> None:
    """What beat does on its schedule: queue `task` (the reminder job unless told otherwise),
    here on our queue.

    The queue's binding is declared every time: a Redis database emptied meanwhile (the
    tests' cache shares it) would otherwise swallow the message."""
    with app.connection_for_write() as connection:
        Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel).declare()
    for _ in range(times):
        app.send_task(task, queue=queue)


def claimed() -> int:
    """How many reminders a worker has claimed (their unique keys recorded) so far."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from goals.models import ReminderSent

    return ReminderSent.objects.count()


class Beat:
    """Beat runs the job every quarter of an hour whatever became of the last run; here,
    after a few seconds without progress (say, a message was lost with the Redis database)."""

    QUIET = 5.0

    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.last = claimed()
        self.since = time.monotonic()

    def keep_going(self) -> None:
        now = claimed()
        if now != self.last:
            self.last, self.since = now, time.monotonic()
        elif time.monotonic() - self.since > self.QUIET:
            tick(self.queue)
            self.since = time.monotonic()


def check_worker(worker: Worker, deadline: float, workdir: Path) -> None:
    """Ends the run when the worker has died or the time is up."""
    if not worker.running:
        raise RuntimeError(f"the worker stopped; see {workdir / 'worker.log'}")
    if time.monotonic() > deadline:
        raise TimeoutError(f"the reminders were not all sent in time; see {workdir}")


def wait_idle(queue: str, redis_url: str, deadline: float, worker: Worker, workdir: Path) -> None:
    """Until the queue is empty and nothing is claimed for a couple of seconds."""
    client = redis.Redis.from_url(redis_url)
    last, quiet_since = claimed(), time.monotonic()
    while client.llen(queue) or time.monotonic() - quiet_since < 3:
        check_worker(worker, deadline, workdir)
        time.sleep(0.2)
        now = claimed()
        if now != last:
            last, quiet_since = now, time.monotonic()


def purge(queue: str, redis_url: str) -> None:
    """Remove our queue, its binding, and the messages the killed workers left unacknowledged
    (they would come back after Redis' visibility timeout, to a queue nobody reads)."""
    client = redis.Redis.from_url(redis_url)
    # Celery declared the queue with an exchange of the same name: its binding keys go too.
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, payload in client.hscan_iter("unacked"):
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def services_missing() -> str | None:
    """What a chaos bench needs and does not have here, or None."""
    if not os.getenv("DATABASE_URL", "").startswith("postgres"):
        return "Set DATABASE_URL to a PostgreSQL server (any database on it)."
    if not os.getenv("REDIS_URL"):
        return "Set REDIS_URL to a Redis server."
    return None


@contextmanager
def scratch_database(name: str, workdir: Path, *, syncdb: bool = False) -> Iterator[str]:
    """Django set up as in production (DEBUG off, tasks queued for real) on a new PostgreSQL
    database `name`_<pid>, dropped afterwards; yields its URL for the worker. With `syncdb`
    the tables come straight from the models instead of the migrations."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goalchain.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["DEBUG"] = "0"
    os.environ["GOALCHAIN_VAR_DIR"] = str(workdir / "var")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()
    app.conf.task_always_eager = False
    if syncdb:
        settings.MIGRATION_MODULES = _NoMigrations()
    settings.DATABASES["default"]["TEST"]["NAME"] = f"{name}_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield database_url_of(connection.settings_dict)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def database_url_of(settings_dict: dict[str, Any]) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host, port = settings_dict.get("HOST") or "localhost", settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class _NoMigrations:
    """MIGRATION_MODULES for every app: none, so tables come straight from the models."""

    def __contains__(self, item: str) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None
