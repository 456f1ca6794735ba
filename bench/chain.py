"""How fast is a whole chain read? Builds products of 100, 1,000 and 10,000 goals in a
throwaway database and times the chain endpoint, chain health and the chain page in-process.

    make bench                                  # PostgreSQL if DATABASE_URL is set, else SQLite
    uv run python bench/chain.py --sizes 100,1000 --runs 30
    uv run python bench/chain.py --profile      # cProfile of the endpoint at the largest size

The database is created for the run and dropped after it (PostgreSQL: a database named
goalchain_bench_<pid> next to the one DATABASE_URL names; SQLite: a file in a temporary
folder). Times are server times: a Django test client calls the whole stack (middleware,
authentication, view, JSON or template rendering) in this process, without a socket.
The endpoint is timed three times: "API cached" reads a chain nobody changed since the last
read (its JSON comes from the cache); "API changed" follows a write to one goal before every
read, so each read puts the chain together again, building that goal's JSON and putting it
into the chain the process kept; "API cold" empties the cache and the process's memory of
chains before every read, so every goal's JSON
is built (as on the first read of a day, since health depends on the date, after a deploy or
a renamed user). "API health" is the health endpoint read again (its body comes from the
cache while the chain's signature holds), "health chg" the same after a write to one goal
before every read, so every finding (the chain's structure and the goal-quality rules) is
worked out again; "health page" is the health dashboard, which works them out on each read.
"chain page" is the page as it first shows: in a chain of more than 1,000 goals the folded
branches of sprint goals are drawn when opened, and "branch" times opening the first one.
"page chg" is the chain page after a write to one goal before every read: the chain the
process kept is brought up to date, that goal loaded again (goals/selectors/kept_chain.py).
"API export" is the product's whole JSON export (goals, links, key results, history, and the
rest).
Targets (bench/_targets.py; each is printed, and recorded for `make bench`'s final table): the
chain page at 1,000 goals in 200 ms, at 10,000 goals its first screen in 500 ms; at 10,000
goals the endpoint after a change in 250 ms and cold in 600 ms, chain health in 200 ms, the
export in 400 ms (medians).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import math
import os
import pstats
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ on the path; `bench` and the app live in its parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import NoReverseMatch, reverse

from bench._chain_data import build_product, change_a_goal
from bench._targets import Outcome, record
from goalchain.runtime import tune_garbage_collector

# The targets of bench/_targets.py this bench measures: (goals, what) → (target, median ms).
TARGET_MS = {
    (1_000, "chain page"): ("chain_page_1000", 200.0),
    (10_000, "chain page"): ("chain_page_10000", 500.0),
    (10_000, "API changed"): ("chain_api_changed", 250.0),
    (10_000, "API cold"): ("chain_api_cold", 600.0),
    (10_000, "API health"): ("health_api", 200.0),  # met when both are: served from the
    (10_000, "health chg"): ("health_api", 200.0),  # cache, and rebuilt after a change
    (10_000, "API export"): ("export", 400.0),
}


def configure_environment() -> tempfile.TemporaryDirectory[str]:
    """Production-like settings (DEBUG off) and a scratch folder for SQLite and queues."""
    scratch = tempfile.TemporaryDirectory(prefix="goalchain-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goalchain.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["GOALCHAIN_VAR_DIR"] = scratch.name
    os.environ.pop("SQLITE_PATH", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return scratch


@dataclass
class Measure:
    size: int
    key_results: int
    what: str
    queries: int | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    kilobytes: float | None = None
    note: str = ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="goals per product")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per URL (min 15)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--no-page", action="store_true", help="time the endpoint only")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest endpoint")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    runs = max(15, args.runs)

    scratch = configure_environment()
    django.setup()
    tune_garbage_collector()  # as the web server processes do (goalchain/asgi.py, wsgi.py)
    setup_test_environment()
    # Static files are not collected here: their URLs need no manifest (as in the tests).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A failing page is reported in the table; its traceback would bury the figures.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db["TEST"]["NAME"] = str(Path(scratch.name) / "bench.sqlite3")
    else:
        db["TEST"]["NAME"] = f"goalchain_bench_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        vendor = _describe_database(connection)
        print(f"Database: {vendor}; {runs} timed runs after {args.warmup} warm-up runs per URL.")
        results: list[Measure] = []
        largest: tuple[int, Any] | None = None
        for size in sizes:
            started = time.perf_counter()
            product, leader, kr_count = build_product(size)
            built = time.perf_counter() - started
            print(f"  built {size:,} goals and {kr_count:,} key results in {built:.1f} s")
            results += measure_product(
                product, leader, size, kr_count, runs, args.warmup, page=not args.no_page
            )
            largest = (product.pk, leader)
        print()
        print_table(results)
        verdict(results, vendor)
        if args.profile and largest is not None:
            profile_endpoint(*largest)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        scratch.cleanup()
    return 0


def _describe_database(connection: Any) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return f"PostgreSQL {version} (throwaway database {connection.settings_dict['NAME']})"
    return f"SQLite {sqlite3.sqlite_version} (throwaway file)"


def forget_all() -> None:
    """A cold read: nothing in the cache, and nothing in this process's memory of chains."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from goalchain.cache import written
    from goals.api.chain_body import forget_assembled_chains
    from goals.selectors.kept_chain import forget_kept_chains

    written()  # the last read's writes made after its answer, which would land after the clear
    cache.clear()
    forget_assembled_chains()
    forget_kept_chains()


def measure_product(
    product: Any, leader: Any, size: int, kr_count: int, runs: int, warmup: int, *, page: bool
) -> list[Measure]:
    client = Client()
    client.force_login(leader)
    url = f"/api/products/{product.pk}/chain/"
    health = f"/api/products/{product.pk}/health/"
    export = f"/api/products/{product.pk}/export/"
    measures = [
        time_url(client, url, size, kr_count, "API cached", runs, warmup),
        time_url(
            client, url, size, kr_count, "API changed", runs, warmup, before=change_a_goal(product)
        ),
        time_url(client, url, size, kr_count, "API cold", runs, warmup, before=forget_all),
        time_url(client, health, size, kr_count, "API health", runs, warmup),
        time_url(
            client,
            health,
            size,
            kr_count,
            "health chg",
            runs,
            warmup,
            before=change_a_goal(product),
        ),
        time_url(client, export, size, kr_count, "API export", runs, warmup),
    ]
    if not page:
        return measures
    health_page = f"/products/{product.pk}/health/"
    measures.append(time_url(client, health_page, size, kr_count, "health page", runs, warmup))
    try:
        url = reverse("product-chain", args=[product.pk])
    except NoReverseMatch:
        measures.append(
            Measure(size, kr_count, "chain page", note="skipped: no URL named product-chain yet")
        )
    else:
        measures.append(time_url(client, url, size, kr_count, "chain page", runs, warmup))
        measures.append(
            time_url(
                client, url, size, kr_count, "page chg", runs, warmup, before=change_a_goal(product)
            )
        )
        # In a big chain, a folded branch's cards are drawn when it is opened: the first one.
        html = client.get(url, secure=True).content.decode()
        branch = re.search(r'data-lazy-branch hx-get="([^"]+)"', html)
        if branch:
            opened = branch.group(1)  # as htmx asks for it, when the branch is opened
            htmx = {"HX-Request": "true"}
            measures.append(
                time_url(client, opened, size, kr_count, "branch", runs, warmup, headers=htmx)
            )
    return measures


def time_url(
    client: Any,
    url: str,
    size: int,
    kr_count: int,
    what: str,
    runs: int,
    warmup: int,
    *,
    before: Callable[[], None] = lambda: None,
    headers: dict[str, str] | None = None,
) -> Measure:
    # The app's modules load only once django.setup() has run on the scratch database.
    from goalchain.cache import written

    try:
        before()
        # The first request fills the cache, so that the count is a steady one (its large
        # writes are made after its answer: they are waited for).
        client.get(url, secure=True, headers=headers)
        written()
        before()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True, headers=headers)
    except Exception as error:  # a page under construction must not stop the benchmark
        return Measure(size, kr_count, what, note=f"failed: {type(error).__name__}: {error}"[:120])
    if response.status_code != 200:
        return Measure(size, kr_count, what, note=f"HTTP {response.status_code} from {url}")
    query_count = len(queries)  # now: later requests reset the connection's query log
    kilobytes = len(response.content) / 1024
    for _ in range(max(0, warmup - 1)):
        before()
        client.get(url, secure=True, headers=headers)
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        client.get(url, secure=True, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[math.ceil(0.95 * len(times)) - 1]
    return Measure(size, kr_count, what, query_count, statistics.median(times), p95, kilobytes)


def print_table(results: list[Measure]) -> None:
    header = (
        f"{'goals':>7} {'key results':>11}  {'what':<11} {'queries':>7} "
        f"{'median ms':>10} {'p95 ms':>8} {'size KB':>8}"
    )
    print(header)
    print("-" * len(header))
    for m in results:
        if m.note:
            print(f"{m.size:>7,} {m.key_results:>11,}  {m.what:<11} {m.note}")
            continue
        print(
            f"{m.size:>7,} {m.key_results:>11,}  {m.what:<11} {m.queries:>7} "
            f"{m.median_ms:>10.1f} {m.p95_ms:>8.1f} {m.kilobytes:>8.0f}"
        )


def verdict(results: list[Measure], database: str) -> None:
    """Print each target measured and record it for `make bench`'s table; a target measured
    twice (chain health, unchanged and after a change) is met when both are."""
    print()
    judged: dict[str, list[tuple[Measure, float]]] = {}
    for m in results:
        target = TARGET_MS.get((m.size, m.what))
        if target is not None and m.median_ms is not None:
            judged.setdefault(target[0], []).append((m, target[1]))
    outcomes = []
    for key, measures in judged.items():
        met = all(m.median_ms is not None and m.median_ms <= limit for m, limit in measures)
        figure = "; ".join(f"{m.median_ms:,.0f} ms (p95 {m.p95_ms:,.0f} ms)" for m, _ in measures)
        if key == "health_api":
            figure = figure.replace("; ", " unchanged; ", 1) + " after a change"
        if key == "chain_page_10000":
            figure += ", sprint goals drawn when their branch is opened"
        outcomes.append(Outcome(key, figure, met))
        first, limit = measures[0]
        print(
            f"Target ({first.what}, {first.size:,} goals, ≤ {limit:.0f} ms): "
            f"{'met' if met else 'MISSED'} with a median of {figure}."
        )
    record("chain", outcomes, context=f"server times in process, {database}")


def profile_endpoint(product_id: int, leader: Any) -> None:
    client = Client()
    client.force_login(leader)
    url = f"/api/products/{product_id}/chain/"
    change = change_a_goal(product_id)
    client.get(url, secure=True)
    profiler = cProfile.Profile()
    for _ in range(5):
        change()
        profiler.enable()
        client.get(url, secure=True)
        profiler.disable()
    print(f"\ncProfile of 5 requests to {url} after a change (cumulative time, top 30):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    print("Own time (tottime, top 20):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    sys.exit(main())
