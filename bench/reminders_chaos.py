"""Are review reminders sent exactly once when the worker is killed mid-run?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python bench/reminders_chaos.py [--reminders 1000] [--kills 2]

It creates a scratch PostgreSQL database (goalchain_chaos_<pid>, dropped afterwards) with
`migrate`, or straight from the models with `--syncdb` (as the tests' --nomigrations do), and
fills it with agreed goals whose reviews are due, so that N reminders are due now. Then it
starts a real Celery worker process (prefork, 2 processes) on Redis, on a queue of its own,
and queues the reminder job twice (two beat processes). When a third of the reminders are
claimed it kills the worker and its pool with SIGKILL, starts a new one and queues the job
again (the next beat tick); the same at two thirds. It waits until every reminder is
claimed and the worker is idle, queues one last tick, and counts the emails: every message
the worker sent is written by Django's file email backend into a folder, and each carries a
Message-ID made from its unique key, so a message sent twice is a Message-ID seen twice.

A message is claimed in the transaction that sends it, so the only one that can go twice is
one a worker process had handed to the mail server when it was killed, before its commit
(goals/services/reminders.py): at most one a worker process a kill, under the Message-ID the
receiving server already has. Prints the emails recorded, the repeats, the missing and the
unexpected; exits 1 unless every due message was sent, none that was not due, and the
repeats are within that bound.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

# Run as a script, Python puts bench/ on the path; `bench` and the app live in its parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.utils import timezone

from bench._chaos_worker import (
    BASE_DIR,
    Beat,
    Worker,
    check_worker,
    claimed,
    purge,
    scratch_database,
    services_missing,
    tick,
    wait_idle,
)

MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]+>)\r?$", re.MULTILINE)


# The chaos worker's pool (bench/_chaos_worker.py): a kill can catch each process mid-send.
WORKER_PROCESSES = 2


@dataclass
class Result:
    expected: int
    recorded: int = 0
    repeats: int = 0  # messages written again under a Message-ID already written
    missing: int = 0
    unexpected: int = 0  # Message-IDs of messages nobody was due
    claimed: int = 0
    killed_at: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def once(self) -> bool:
        """Every due message sent, nothing else, and again only if in flight at a kill."""
        return (
            self.missing == 0
            and self.unexpected == 0
            and self.recorded - self.repeats == self.expected
            and self.repeats <= WORKER_PROCESSES * len(self.killed_at)
        )


def seed(reminders: int) -> int:
    """Agreed product goals whose reviews are due tomorrow, each with an owner and a key
    result owned by someone else: two reminders per goal. Returns how many are due now."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from goals.models import (
        Goal,
        KeyResult,
        Level,
        Organization,
        OrganizationMembership,
        Product,
        ProductMembership,
        ProductRole,
        ReviewSchedule,
        Status,
        User,
    )
    from goals.selectors.reminders import due_goal_reminders

    org = Organization.objects.create(name="Chaos Inc.", time_zone="UTC")
    product = Product.objects.create(organization=org, name="Reminders under fire")
    # Reminders at midnight: whatever the time of the run, they are due.
    ReviewSchedule.objects.create(product=product, remind_days_before=2, reminder_hour=0)
    people = [User(email=f"owner{i}@chaos.example.com") for i in range(max(2, reminders // 4))]
    for person in people:
        person.set_unusable_password()
    people = User.objects.bulk_create(people)
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(organization=org, user=p) for p in people
    )
    ProductMembership.objects.bulk_create(
        ProductMembership(product=product, user=p, role=ProductRole.TEAM) for p in people
    )
    review_on = timezone.localdate() + timedelta(days=1)
    goals = Goal.objects.bulk_create(
        Goal(
            product=product,
            level=Level.PRODUCT,
            title=f"Goal {i}",
            status=Status.AGREED,
            owner=people[i % len(people)],
            next_review_on=review_on,
        )
        for i in range((reminders + 1) // 2)
    )
    KeyResult.objects.bulk_create(
        KeyResult(
            goal=goal,
            title="Weekly planners",
            baseline=0,
            target=10,
            current=0,
            owner=people[(i + 1) % len(people)],
        )
        for i, goal in enumerate(goals)
        if 2 * i + 1 < reminders  # an odd count: the last goal has its owner only
    )
    return len(due_goal_reminders())


def count_mail(folder: Path) -> Counter[bytes]:
    """How often each Message-ID was written to the email folder."""
    seen: Counter[bytes] = Counter()
    for path in folder.glob("*.log"):
        seen.update(MESSAGE_ID.findall(path.read_bytes()))
    return seen


def expected_ids() -> set[bytes]:
    # The app's modules load only once django.setup() has run on the scratch database.
    from goals.selectors.reminders import due_goal_reminders, message_id

    return {message_id(due).encode() for due in due_goal_reminders()}


def run_chaos(
    *,
    reminders: int,
    kills: int,
    workdir: Path,
    database_url: str,
    redis_url: str,
    timeout: float = 600,
) -> Result:
    """Seed N due reminders, send them through a real worker killed `kills` times, count.

    Django in this process must already point at `database_url`, with the schema in place.
    """
    started = time.monotonic()
    expected = seed(reminders)
    keys = expected_ids()
    result = Result(expected=expected)
    mail = workdir / "mail"
    mail.mkdir(parents=True, exist_ok=True)
    queue = f"reminders-chaos-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"file://{mail}",
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "goalchain.settings",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    worker = Worker(queue, env, workdir / "worker.log")
    deadline = time.monotonic() + timeout
    try:
        tick(queue, times=2)  # as if two beat processes ran
        worker.start()
        beat = Beat(queue)
        for kill in range(1, kills + 1):
            threshold = expected * kill // (kills + 1)
            while claimed() < threshold:
                check_worker(worker, deadline, workdir)
                beat.keep_going()
                time.sleep(0.01)
            worker.kill()
            result.killed_at.append(claimed())
            worker.start()
            tick(queue, times=2)  # the next beat tick finds what is left
        while claimed() < expected:
            check_worker(worker, deadline, workdir)
            beat.keep_going()
            time.sleep(0.05)
        tick(queue)  # one more tick after everything was sent: it must send nothing
        wait_idle(queue, redis_url, deadline, worker, workdir)
    finally:
        worker.stop()
        purge(queue, redis_url)
    seen = count_mail(mail)
    result.recorded = sum(seen.values())
    result.repeats = sum(n - 1 for n in seen.values() if n > 1)
    result.missing = len(keys - set(seen))
    result.unexpected = len(set(seen) - keys)
    result.claimed = claimed()
    result.seconds = time.monotonic() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=1000, help="reminders due")
    parser.add_argument("--kills", type=int, default=2, help="SIGKILLs of the worker")
    parser.add_argument(
        "--syncdb", action="store_true", help="create tables from the models, not migrations"
    )
    args = parser.parse_args()
    missing = services_missing()
    if missing:
        print(missing)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="goalchain-chaos-"))
    with scratch_database("goalchain_chaos", workdir, syncdb=args.syncdb) as database_url:
        print(
            f"{args.reminders:,} reminders due, a worker (prefork, 2 processes) on Redis, "
            f"SIGKILLed {args.kills} times mid-run"
        )
        result = run_chaos(
            reminders=args.reminders,
            kills=args.kills,
            workdir=workdir,
            database_url=database_url,
            redis_url=os.environ["REDIS_URL"],
        )
    print(f"worker killed when {', '.join(map(str, result.killed_at))} reminders were claimed")
    print(f"emails recorded: {result.recorded}")
    print(
        f"repeats under a Message-ID already sent: {result.repeats} "
        f"(at most {WORKER_PROCESSES} a kill: the messages in flight)"
    )
    print(f"missing: {result.missing}; not due: {result.unexpected}")
    print(f"({result.claimed} keys claimed; {result.seconds:.1f} s)")
    if not result.once:
        print(f"The emails and the worker's log are kept in {workdir}.")
        return 1
    shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
