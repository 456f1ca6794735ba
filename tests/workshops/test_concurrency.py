"""Votes cast and re-cast at the same moment are never lost or doubled (PostgreSQL)."""

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from goals.errors import Conflict
from goals.models import ProductRole
from tests.conftest import skip_or_fail
from tests.factories import UserFactory, add_member
from tests.workshops.conftest import make_room
from workshops.models import Participant, Vote, VotingMethod
from workshops.selectors import proposal_tallies
from workshops.services.votes import vote_cast

VOTERS = 20
RECASTS = 3


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_re_votes_leave_exactly_one_vote_per_voter(postgres, team):
    room = make_room(team, method=VotingMethod.SCORE)
    voters = [
        add_member(team.product, UserFactory(), ProductRole.TEAM) for _ in range(VOTERS - 3)
    ] + room.voters
    for voter in voters[: VOTERS - 3]:
        room.seat(voter)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")

    def cast(voter) -> None:
        try:
            # The last of the three re-votes is the 5 that must win.
            for value in (3, 4, 5):
                vote_cast(actor=voter, proposal=proposal, value=value)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(cast, voters * 1))

    assert Vote.objects.filter(proposal=proposal).count() == VOTERS
    assert set(Vote.objects.values_list("value", flat=True)) == {"5"}
    room.workshop.refresh_from_db()
    count = proposal_tallies(room.workshop)[proposal.pk]
    assert (count.voters, count.supporters, count.counts) == (VOTERS, VOTERS, {"5": VOTERS})
    assert RECASTS == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_dots_never_exceed_the_budget(postgres, team):
    room = make_room(team, method=VotingMethod.DOT, dots_per_voter=3)
    room.to("drafting")
    proposals = [room.propose(title=f"Option {i}") for i in range(4)]
    room.to("voting")
    voter = room.voters[0]

    def spend(proposal) -> None:
        try:
            vote_cast(actor=voter, proposal=proposal, value=1)
        except Exception:
            pass
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(spend, proposals))
    assert (
        sum(int(v) for v in Vote.objects.filter(voter=voter).values_list("value", flat=True)) == 3
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ballots_racing_the_reveal_land_before_it_or_are_refused(postgres, team):
    """A ballot holds the workshop in its phase until it is written: the reveal waits for it,
    and a ballot sent once the reveal is in is refused. What is stored is exactly what was
    accepted, so the revealed tallies are the ones voters were told went in."""
    room = make_room(team, method=VotingMethod.SCORE)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    revealed = threading.Event()
    accepted: dict[int, str] = {}
    late: list[int] = []

    def cast(voter) -> None:
        try:
            for value in itertools.cycle("2345"):
                sent_after_reveal = revealed.is_set()
                try:
                    vote_cast(actor=voter, proposal=proposal, value=value)
                except Conflict:
                    return
                accepted[voter.pk] = value
                if sent_after_reveal:
                    late.append(voter.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(room.voters) + 1) as pool:
        running = [pool.submit(cast, voter) for voter in room.voters]
        time.sleep(0.3)
        room.to("revealed")
        at_reveal = dict(Vote.objects.values_list("voter_id", "value"))
        revealed.set()
        for future in running:
            future.result()

    assert late == []
    stored = dict(Vote.objects.values_list("voter_id", "value"))
    assert stored == at_reveal == accepted and len(stored) == len(room.voters)


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", [VotingMethod.SCORE, VotingMethod.DOT])
def test_the_reveal_waits_for_a_ballot_being_written(postgres, team, method):
    """A ballot held up after it has taken the workshop (here, by its seat being locked
    elsewhere) keeps the reveal waiting until it is written: it is in the tallies revealed."""
    room = make_room(team, method=method)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    voter = room.voters[0]
    seat_taken, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def hold_the_seat() -> None:
        try:
            with transaction.atomic():
                Participant.objects.select_for_update().get(workshop=room.workshop, user=voter)
                seat_taken.set()
                release.wait(10)
        finally:
            connections.close_all()

    def ballot() -> None:
        try:
            vote_cast(actor=voter, proposal=proposal, value=2)
            finished.append("ballot")
        finally:
            connections.close_all()

    def reveal() -> None:
        try:
            room.to("revealed")
            finished.append("reveal")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as pool:
        holder = pool.submit(hold_the_seat)
        assert seat_taken.wait(5)
        cast = pool.submit(ballot)
        assert _until(lambda: _waiting_on_locks() == 1)
        revealing = pool.submit(reveal)
        _until(lambda: revealing.done() or _waiting_on_locks() == 2)
        release.set()
        for future in (holder, cast, revealing):
            future.result()

    assert finished == ["ballot", "reveal"]
    assert Vote.objects.get().value == "2"
