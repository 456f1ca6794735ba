"""Vote storm: N voters cast and re-cast votes at once over HTTP; none may be lost or doubled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/votes.py
    uv run python bench/votes.py --voters 200 --recasts 3 --proposals 3 --workers 4

Creates a scratch PostgreSQL database next to the one DATABASE_URL names, migrates it,
starts uvicorn with --workers processes on a free port, sets up a score-voting workshop
with the voters and proposals, and lets every voter (one thread each) vote on every
proposal `--recasts` times as fast as the server answers. Then it reads the votes back:
each voter must have exactly one vote per proposal, holding the value they sent last.
Meanwhile --watchers of the voters watch the room, each holding its event stream open as the
room page does (bench/_room.py): a ballot shows in the room of the others once an event
reaches every watcher after the ballot was answered, and the time from sending the ballot to
that moment is what a voter sees.
Before the storm, the bare Django JSON endpoint of bench/settings.py is loaded by 16 clients on
the same server, and its requests/s and p95 are printed beside the storm's. Prints votes/s,
p50/p95 latency of the ballots and of the room seeing them, errors, lost and duplicate votes;
exits 1 on any loss. Target (recorded for `make bench`'s final table): 250 votes/s or more,
the room seeing a ballot within 1 s at the 95th percentile, none lost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# Run as a script, Python puts bench/ on the path; `bench` and the app live in its parent.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.db import connections

from bench._room import Watchers, seen_by_all
from bench._server import (
    create_database,
    drop_database,
    free_port,
    migrate,
    production_env,
    start_uvicorn,
    stop,
)
from bench._targets import Outcome, record
from bench.throughput import Run, load

BARE_CLIENTS, BARE_SECONDS = 16, 5.0
VOTES_PER_SECOND, P95_SECONDS = 250, 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--recasts", type=int, default=3, help="votes per voter per proposal")
    parser.add_argument("--proposals", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="uvicorn worker processes")
    parser.add_argument("--watchers", type=int, default=10, help="voters watching the room")
    args = parser.parse_args()
    if not 1 <= args.watchers <= args.voters:
        # The target is what the others see: a storm nobody watches measures half of it.
        parser.error(f"--watchers: give 1 to {args.voters} (the voters watching the room)")

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        print("bench/votes.py needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    scratch = f"goalchain_bench_votes_{os.getpid()}"
    env = production_env(
        create_database(base_url, scratch),
        DJANGO_SETTINGS_MODULE="bench.settings",  # production's, with the bare endpoint
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    os.environ.update(env)
    server = None
    try:
        migrate(env)
        django.setup()
        workshop, proposals, tokens = _set_up(args.voters, args.proposals)
        port = free_port()
        server = start_uvicorn(port, args.workers, env)
        bare = Run("bare Django JSON", "/bench/bare/")
        load(port, bare, "", BARE_CLIENTS, 1)  # warm-up, thrown away
        bare.latencies, bare.errors, bare.seconds = [], 0, 0.0
        load(port, bare, "", BARE_CLIENTS, BARE_SECONDS)
        watchers = Watchers(port, workshop, list(tokens.values())[: args.watchers])
        watchers.start()
        result = _storm(port, proposals, tokens, args.recasts)
        room = Room(*seen_by_all(result.ballots, watchers.stop()), watchers.errors())
        lost, duplicates = _check(proposals, result.last)
        _report(args, result, room, lost, duplicates, bare)
        return 1 if lost or duplicates or result.errors else 0
    finally:
        if server is not None:
            stop(server)
        connections.close_all()
        drop_database(base_url, scratch)


def _set_up(voter_count: int, proposal_count: int) -> tuple[int, list[int], dict[int, str]]:
    """A product, a score-voting workshop in its voting phase, voters with API tokens."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from accounts.tokens import token_create
    from goals.models import (
        Level,
        OrganizationMembership,
        ProductMembership,
        ProductRole,
        User,
    )
    from goals.services import agreement, goals, organizations
    from workshops.services.proposals import proposal_create
    from workshops.services.setup import participant_add, workshop_create, workshop_set_phase

    leader = User.objects.create_user(email="leader@bench.example", password=None)
    org = organizations.organization_create(actor=leader, name="Bench")
    product = organizations.product_create(actor=leader, organization=org, name="Votes")
    vision = goals.goal_create(actor=leader, product=product, level=Level.VISION, title="V")
    user_goal = goals.goal_create(
        actor=leader, product=product, level=Level.USER, title="U", parents=[vision]
    )
    user_goal = agreement.goal_agreed_by_record(
        actor=leader, goal=user_goal, agreed_by=[leader], reason="Set up for the benchmark."
    )
    workshop = workshop_create(
        actor=leader,
        product=product,
        title="Storm",
        target_level=Level.PRODUCT,
        parent_goal=user_goal,
        facilitator=leader,
        voting_method="score",
    )
    voters = User.objects.bulk_create(
        User(email=f"voter{i}@bench.example") for i in range(voter_count)
    )
    # Members at once: adding a member through the services only invites them, and the
    # storm is about votes, not about answering invitations.
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(organization=org, user=voter) for voter in voters
    )
    ProductMembership.objects.bulk_create(
        ProductMembership(product=product, user=voter, role=ProductRole.TEAM) for voter in voters
    )
    for voter in voters:
        participant_add(actor=leader, workshop=workshop, user=voter, can_vote=True)
    workshop_set_phase(actor=leader, workshop=workshop, phase="drafting")
    proposals = [
        proposal_create(actor=leader, workshop=workshop, title=f"Option {i}").pk
        for i in range(proposal_count)
    ]
    workshop_set_phase(actor=leader, workshop=workshop, phase="voting")
    tokens = {v.pk: token_create(user=v, name="Bench")[1] for v in voters}
    return workshop.pk, proposals, tokens


@dataclass
class Storm:
    latencies: list[float]
    last: dict[tuple[int, int], str]
    errors: list[str]
    elapsed: float
    ballots: list[tuple[float, float]]  # each answered ballot: sent, answered (perf_counter)


@dataclass
class Room:
    seen: list[float]  # seconds from each ballot to every watcher hearing of it
    unseen: int
    errors: list[str]


def _storm(port: int, proposals: list[int], tokens: dict[int, str], recasts: int) -> Storm:
    latencies: list[float] = []
    ballots: list[tuple[float, float]] = []
    last: dict[tuple[int, int], str] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(tokens) + 1)

    def voter(voter_id: int, token: str) -> None:
        rng = random.Random(voter_id)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        answered: list[tuple[float, float]] = []
        start.wait()
        for _ in range(recasts):
            for proposal in rng.sample(proposals, len(proposals)):
                value = str(rng.randint(2, 5))
                began = time.perf_counter()
                try:
                    connection.request(
                        "PUT",
                        f"/api/proposals/{proposal}/vote/",
                        body=json.dumps({"value": value}),
                        headers={
                            "Authorization": f"Token {token}",
                            "Content-Type": "application/json",
                        },
                    )
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except OSError as error:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status, value = 0, f"{error}"
                mine.append(time.perf_counter() - began)
                with lock:
                    if status == 200:
                        answered.append((began, time.perf_counter()))
                        last[(voter_id, proposal)] = value
                    else:
                        errors.append(f"{status} {value}")
        with lock:
            latencies.extend(mine)
            ballots.extend(answered)

    threads = [threading.Thread(target=voter, args=item) for item in tokens.items()]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return Storm(latencies, last, errors, elapsed, ballots)


def _check(proposals: list[int], last: dict[tuple[int, int], str]) -> tuple[int, int]:
    """Lost: a voter's last accepted vote is not what is stored. Duplicates: extra rows."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from workshops.models import Vote

    stored: dict[tuple[int, int], list[str]] = {}
    for voter, proposal, value in Vote.objects.filter(proposal_id__in=proposals).values_list(
        "voter_id", "proposal_id", "value"
    ):
        stored.setdefault((voter, proposal), []).append(value)
    duplicates = sum(len(values) - 1 for values in stored.values())
    lost = sum(1 for key, value in last.items() if stored.get(key, [None])[-1] != value)
    return lost, duplicates


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)] if ordered else 0.0


def _report(
    args: argparse.Namespace, result: Storm, room: Room, lost: int, dupes: int, bare: Run
) -> None:
    latencies = sorted(result.latencies)
    votes = len(latencies)
    elapsed = result.elapsed
    p95 = _percentile(latencies, 0.95)
    seen_p95 = _percentile(room.seen, 0.95) if room.seen else float("inf")
    rows = [
        ("voters", f"{args.voters}"),
        (
            "votes cast",
            f"{votes} ({args.recasts} per voter per proposal, {args.proposals} proposals)",
        ),
        ("server", f"uvicorn, {args.workers} workers, PostgreSQL"),
        ("elapsed", f"{elapsed:.2f} s"),
        ("votes/s", f"{votes / elapsed:.0f}" if elapsed else "-"),
        ("p50 latency", f"{statistics.median(latencies) * 1000:.1f} ms" if latencies else "-"),
        ("p95 latency", f"{p95 * 1000:.1f} ms"),
        (
            "room sees it",
            f"p50 {_percentile(room.seen, 0.5) * 1000:.1f} ms, p95 {seen_p95 * 1000:.1f} ms "
            f"(from the ballot until {args.watchers} watchers heard of it; "
            f"{room.unseen} ballots never heard of, {len(room.errors)} stream errors)",
        ),
        ("errors", f"{len(result.errors)}"),
        ("lost votes", f"{lost}"),
        ("duplicate votes", f"{dupes}"),
    ]
    rate = votes / elapsed if elapsed else 0.0
    rows.append(
        (
            "bare endpoint",
            f"{bare.rate:,.0f} requests/s, p95 {bare.percentile(0.95):.0f} ms "
            f"({BARE_CLIENTS} clients); the storm's votes/s are "
            f"{rate / bare.rate * 100:.0f} % of it"
            if bare.rate
            else "no answer",
        )
    )
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    met = (
        rate >= VOTES_PER_SECOND
        and seen_p95 <= P95_SECONDS
        and not room.unseen
        and not lost
        and not dupes
    )
    figure = (
        f"{rate:,.0f} votes/s, seen by the room at p95 {seen_p95:.1f} s "
        f"(ballot p95 {p95:.1f} s), {lost} lost, {dupes} doubled"
    )
    print(f"vote storm: {figure}: {'met' if met else 'MISSED'}")
    record(
        "votes",
        [Outcome("vote_storm", figure, met)],
        context=f"bare endpoint {bare.rate:,.0f} requests/s at {BARE_CLIENTS} clients; "
        f"{args.voters} voters, {votes:,} votes",
    )


if __name__ == "__main__":
    raise SystemExit(main())
