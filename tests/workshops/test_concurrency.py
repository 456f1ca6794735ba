"""Votes cast and re-cast at the same moment are never lost or doubled (PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from goals.models import ProductRole
from tests.conftest import skip_or_fail
from tests.factories import UserFactory, add_member
from tests.workshops.conftest import make_room
from workshops.models import Vote, VotingMethod
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
