"""Does every webhook event reach its receiver when the worker is killed mid-delivery?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python bench/webhooks_chaos.py [--events 300] [--kills 2]

It creates a scratch PostgreSQL database (goalchain_hooks_chaos_<pid>, dropped afterwards),
adds a standard (signed) hook pointing at a receiver this script serves on 127.0.0.1, which
takes a moment to answer, and announces N events, each queued for a real Celery worker
(prefork, 2 processes) on Redis. When a third of them have arrived it kills the worker and its
pool with SIGKILL mid-request, starts a new one and lets the sweep (what beat runs every
minute) find what is left; the same at two thirds. The deliveries the dead worker held are
sent again once their lease runs out, under the same `webhook-id`.

Counts what the receiver got: every event must arrive, each under one `webhook-id` (a
receiver keeps the ids it has seen, as the Standard Webhooks specification asks, so a repeat
of a request the dead worker never heard answered changes nothing), and the database must
show every delivery delivered. Exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, Python puts bench/ on the path; `bench` and the app live in its parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings
from django.db import transaction

from bench._chaos_worker import (
    BASE_DIR,
    Worker,
    check_worker,
    purge,
    scratch_database,
    services_missing,
    tick,
)
from goalchain.celery import app
from tests.receiver import Receiver, Reply, serve

PATH = "/hooks/goal-chain"
SWEEP = "goals.tasks.send_due_webhook_deliveries"
# Long enough for the kill to land while requests are in flight, short enough for a bench.
ANSWER_DELAY = 0.2
# The receiver's time limit; a dead worker's leases run out 5 s after it.
TIMEOUT_SECONDS = 2


@dataclass
class Result:
    expected: int
    received: int = 0
    distinct: int = 0
    repeats: int = 0
    missing: int = 0
    undelivered: int = 0
    killed_at: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exact(self) -> bool:
        """Every event arrived, under one id each, and the database says so."""
        return (self.distinct, self.missing, self.undelivered) == (self.expected, 0, 0)


def seed(events: int, url: str) -> set[str]:
    """A product with one signed hook to `url` and N announced events; their message ids."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from goals.models import Goal, Level, Organization, Product, User, WebhookDelivery
    from goals.services.webhooks import announce_goal, webhook_create

    org = Organization.objects.create(name="Chaos Inc.")
    product = Product.objects.create(organization=org, name="Hooks under fire")
    leader = User.objects.create(email="leader@chaos.example.com")
    webhook_create(
        actor=leader, product=product, url=url, kind="standard", events=["goal.changed"],
        active=True,
    )  # fmt: skip
    goal = Goal.objects.create(product=product, level=Level.VISION, title="Everyone eats well")
    with transaction.atomic():  # queued for the worker as the transaction commits
        for n in range(events):
            announce_goal(
                event="goal.changed", goal=goal, actor=leader, key=str(n), changed=["title"]
            )
    return set(WebhookDelivery.objects.values_list("message_id", flat=True))


def arrived(receiver: Receiver) -> Counter[str]:
    """How often each webhook-id reached the receiver."""
    return Counter(request.headers.get("webhook-id", "") for request in receiver.to(PATH))


def undelivered() -> int:
    # The app's modules load only once django.setup() has run on the scratch database.
    from goals.models import DeliveryState, WebhookDelivery

    return WebhookDelivery.objects.exclude(state=DeliveryState.DELIVERED).count()


def run_chaos(
    *,
    events: int,
    kills: int,
    workdir: Path,
    database_url: str,
    redis_url: str,
    timeout: float = 600,
) -> Result:
    """Announce N events to a slow receiver, deliver them through a real worker killed
    `kills` times mid-request, and count what arrived.

    Django in this process must already point at `database_url`, with the schema in place."""
    started = time.monotonic()
    queue = f"hooks-chaos-{os.getpid()}-{time.monotonic_ns()}"
    app.conf.task_default_queue = queue  # what the seed queues goes to our worker
    settings.INTEGRATIONS_ALLOW_PRIVATE_NETWORKS = True  # the receiver is on 127.0.0.1
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "goalchain.settings",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "INTEGRATIONS_ALLOW_PRIVATE_NETWORKS": "1",
        "WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
    }
    worker = Worker(queue, env, workdir / "worker.log")
    deadline = time.monotonic() + timeout
    with serve() as receiver:
        url = receiver.answer(PATH, Reply(status=204, body=b"", delay=ANSWER_DELAY))
        try:
            tick(queue, times=0, task=SWEEP)  # declares our queue before the seed fills it
            ids = seed(events, url)
            result = Result(expected=len(ids))
            worker.start()
            for kill in range(1, kills + 1):
                threshold = result.expected * kill // (kills + 1)
                while len(arrived(receiver)) < threshold:
                    check_worker(worker, deadline, workdir)
                    time.sleep(0.01)
                worker.kill()  # mid-request: the receiver is still answering
                result.killed_at.append(len(arrived(receiver)))
                worker.start()
            last_sweep = 0.0
            while undelivered():
                check_worker(worker, deadline, workdir)
                if time.monotonic() - last_sweep > 1:  # beat, sped up
                    tick(queue, task=SWEEP)
                    last_sweep = time.monotonic()
                time.sleep(0.1)
            tick(queue, task=SWEEP)  # one more sweep after everything arrived: sends nothing
            time.sleep(1 + ANSWER_DELAY)
        finally:
            worker.stop()
            purge(queue, redis_url)
            app.conf.task_default_queue = "celery"
        seen = arrived(receiver)
    result.received = sum(seen.values())
    result.distinct = len(seen.keys() & ids)
    result.repeats = result.received - len(seen)
    result.missing = len(ids - seen.keys())
    result.undelivered = undelivered()
    result.seconds = time.monotonic() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=300, help="events announced")
    parser.add_argument("--kills", type=int, default=2, help="SIGKILLs of the worker")
    args = parser.parse_args()
    missing = services_missing()
    if missing:
        print(missing)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="goalchain-hooks-chaos-"))
    with scratch_database("goalchain_hooks_chaos", workdir) as database_url:
        print(
            f"{args.events:,} events to a signed hook, a worker (prefork, 2 processes) on "
            f"Redis, SIGKILLed {args.kills} times mid-request"
        )
        result = run_chaos(
            events=args.events,
            kills=args.kills,
            workdir=workdir,
            database_url=database_url,
            redis_url=os.environ["REDIS_URL"],
        )
    print(f"worker killed when {', '.join(map(str, result.killed_at))} events had arrived")
    print(f"requests received: {result.received}")
    print(f"events arrived (distinct webhook-ids): {result.distinct} of {result.expected}")
    print(f"repeats under an id already received: {result.repeats}")
    print(f"missing: {result.missing}; not marked delivered: {result.undelivered}")
    print(f"({result.seconds:.1f} s)")
    if not result.exact:
        print(f"The worker's log is kept in {workdir}.")
        return 1
    shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
