"""API throughput at 16 concurrent clients, next to a bare Django JSON endpoint on the same
server: the ratio to the bare endpoint is the figure that counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/10 \\
        .venv/bin/python bench/throughput.py [--clients 16] [--seconds 10] [--workers 4]

Starts the production shape on this machine: a scratch PostgreSQL database next to the one
DATABASE_URL names (goalchain_bench_tp_<pid>, migrated, dropped afterwards), Redis as cache
and broker, uvicorn with --workers processes and DEBUG off, and a Celery worker. Seeds a
product with a chain of --goals goals (the shape of bench/chain.py), then lets --clients
threads, each on a keep-alive connection, request as fast as the server answers: the bare
endpoint (/bench/bare/, served only under bench/settings.py), a product goal's
detail `GET /api/goals/{id}/` and the product's goal list `GET /api/goals/?product={id}` (its
first page of 50), both with Token authentication. Each endpoint gets a short warm-up, then
--seconds in all, split into --rounds turns taken in rotation. Prints requests/s, p50, p95,
the ratio to the bare endpoint, the queries of one request (made for a token's first read,
then asked again: the load reads kept answers, goals/api/fast_reads.py), and the peak memory
(VmHWM) of each uvicorn worker.
Targets (bench/_targets.py, recorded for `make bench`'s final table): the goal list at 50 % or
more of the bare endpoint's requests/s; goal detail at 70 % or more, with a p95 at most twice
the bare endpoint's; each web worker's peak memory at most 150 MB.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import statistics
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, Python puts bench/ on the path; `bench` and the app live in its parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench._chain_data import build_product
from bench._server import (
    children,
    create_database,
    drop_database,
    free_port,
    migrate,
    peak_rss_mb,
    production_env,
    start_celery_worker,
    start_uvicorn,
    stop,
)
from bench._targets import Outcome, record

LIST_RATIO = 0.5
DETAIL_RATIO = 0.7
DETAIL_P95_OF_BARE = 2.0
MEMORY_MB = 150.0


@dataclass
class Run:
    name: str
    url: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    queries: str | None = None  # made / asked again

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * share) - 1)] * 1000 if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=10, help="measured time per endpoint")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured time first")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the endpoints take, splitting --seconds"
    )
    parser.add_argument("--workers", type=int, default=4, help="uvicorn worker processes")
    parser.add_argument("--goals", type=int, default=1000, help="goals in the product's chain")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        print(
            "bench/throughput.py needs PostgreSQL and Redis: set DATABASE_URL=postgres://… "
            "and REDIS_URL=redis://…",
            file=sys.stderr,
        )
        return 2
    scratch = f"goalchain_bench_tp_{os.getpid()}"
    queue = f"bench-throughput-{os.getpid()}"
    env = production_env(
        create_database(base_url, scratch),
        DJANGO_SETTINGS_MODULE="bench.settings",
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    os.environ.update(env)
    server = worker = None
    try:
        migrate(env)
        django.setup()
        runs, token = _seed(args.goals)
        worker = start_celery_worker(queue, env)
        port = free_port()
        server = start_uvicorn(port, args.workers, env)
        workers = [pid for pid in children(server.pid) if _is_uvicorn_worker(pid)]
        for run in runs:
            load(port, run, token, args.clients, args.warmup)  # warm-up, thrown away
            run.latencies, run.errors, run.seconds = [], 0, 0.0
        # The endpoints take turns, so a slower spell of the shared machine falls on each.
        for _ in range(args.rounds):
            for run in runs:
                load(port, run, token, args.clients, args.seconds / args.rounds)
        memory = [peak_rss_mb(pid) for pid in workers]
        worker_alive = worker.poll() is None
    finally:
        if server is not None:
            stop(server)
        if worker is not None:
            stop(worker)
        connections.close_all()
        drop_database(base_url, scratch)
    return _report(args, runs, memory, worker_alive)


def _is_uvicorn_worker(pid: int) -> bool:
    """uvicorn's workers are spawned by multiprocessing; its resource tracker is not one."""
    return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()


def _seed(size: int) -> tuple[list[Run], str]:
    """A product with a chain; the runs to make and the leader's API token."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from accounts.tokens import token_create
    from goals.models import Level

    # This process serves requests too (to count queries); static files are not collected.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    product, leader, _ = build_product(size)
    _, token = token_create(user=leader, name="Bench")
    _, other = token_create(user=leader, name="Bench, first reads")
    # A product goal: parents above, key results of its own, sprint goals below.
    goal = product.goals.filter(level=Level.PRODUCT, key_results__isnull=False).first()
    runs = [
        Run("bare Django JSON", "/bench/bare/"),
        Run("goal detail", f"/api/goals/{goal.pk}/"),
        Run("goal list (50)", f"/api/goals/?product={product.pk}"),
    ]
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    first = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {other}")
    for run in runs[1:]:
        client.get(run.url)  # the first request of a process does one-off work
        with CaptureQueriesContext(connection) as made:
            assert first.get(run.url).status_code == 200, run.url
        with CaptureQueriesContext(connection) as again:
            assert client.get(run.url).status_code == 200, run.url
        run.queries = f"{len(made)} / {len(again)}"
    return runs, token


def load(port: int, run: Run, token: str, clients: int, seconds: float) -> None:
    """`clients` threads on keep-alive connections, requesting `run.url` for `seconds`."""
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    headers = {"Authorization": f"Token {token}"}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        errors = 0
        start.wait()
        deadline = time.perf_counter() + seconds
        while (began := time.perf_counter()) < deadline:
            try:
                connection.request("GET", run.url, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection.close()
                ok = False
            if ok:
                mine.append(time.perf_counter() - began)
            else:
                errors += 1
        connection.close()
        with lock:
            run.latencies += mine
            run.errors += errors

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    run.seconds += time.perf_counter() - began


def percent(ratio: float) -> str:
    """A share as people write it, to a tenth, rounded down: 49.96 % of the bare endpoint
    reads 49.9 %, not a 50 % that misses a target of 50 %."""
    return f"{math.floor(ratio * 1000) / 10:.1f} %"


def _report(args: argparse.Namespace, runs: list[Run], memory: list[float], worker: bool) -> int:
    bare = runs[0].rate
    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s per endpoint, uvicorn with "
        f"{args.workers} workers, PostgreSQL + Redis, a Celery worker, {os.cpu_count()} CPUs "
        f"shared by server and clients; a chain of {args.goals:,} goals\n"
    )
    header = ("endpoint", "queries new / again", "requests/s", "p50", "p95", "vs bare", "errors")
    rows = [
        (
            run.name,
            run.queries or "-",
            f"{run.rate:,.0f}",
            f"{statistics.median(run.latencies) * 1000:.1f} ms" if run.latencies else "-",
            f"{run.percentile(0.95):.1f} ms",
            percent(run.rate / bare) if bare else "-",
            str(run.errors),
        )
        for run in runs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(
        "\npeak memory (VmHWM) per web worker: "
        + ", ".join(f"{mb:.0f} MB" for mb in memory)
        + f"; Celery worker {'still running' if worker else 'STOPPED'}"
    )
    bare_p95 = runs[0].percentile(0.95)
    detail, listing = runs[1], runs[2]
    detail_ratio = detail.rate / bare if bare else 0.0
    list_ratio = listing.rate / bare if bare else 0.0
    outcomes = [
        Outcome(
            "goal_list",
            f"{percent(list_ratio)} ({listing.rate:,.0f} requests/s)",
            list_ratio >= LIST_RATIO,
        ),
        Outcome(
            "goal_detail",
            f"{percent(detail_ratio)} ({detail.rate:,.0f} requests/s), p95 "
            f"{detail.percentile(0.95):.0f} ms against bare's {bare_p95:.0f} ms",
            detail_ratio >= DETAIL_RATIO
            and detail.percentile(0.95) <= DETAIL_P95_OF_BARE * bare_p95,
        ),
        Outcome(
            "memory",
            f"{max(memory, default=0):.0f} MB at most",
            bool(memory) and max(memory) <= MEMORY_MB,
        ),
    ]
    for outcome in outcomes:
        verdict = "met" if outcome.met else "MISSED"
        print(f"{outcome.key.replace('_', ' ')}: {outcome.figure}: {verdict}")
    record(
        "throughput",
        outcomes,
        context=f"bare endpoint {bare:,.0f} requests/s, p95 {bare_p95:.0f} ms, "
        f"{args.clients} clients",
    )
    return 0 if worker and not any(run.errors for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
