"""The Celery side of bench/reminders_chaos.py: a real worker process that can be killed with
SIGKILL, the ticks beat would send, the wait until the worker is idle, and the clean-up of
the queue on Redis afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
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
