"""A ballot, whichever way it is written: on PostgreSQL every ballot but dots is one
statement, elsewhere (and for dots) a locked transaction. Both refuse in the same order,
write nothing when they refuse, and tell the room how many have voted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.errors import Conflict, DomainError, Forbidden
from tests.conftest import skip_or_fail
from tests.workshops.conftest import Room, make_room
from workshops.access import get_proposal_to_vote_on
from workshops.models import Proposal, Vote, VotingMethod, WorkshopEvent
from workshops.services.decisions import workshop_decide, workshop_new_round
from workshops.services.votes import vote_cast

pytestmark = pytest.mark.django_db

BAD_VALUE = {VotingMethod.CONSENT: "maybe", VotingMethod.SCORE: 9}


def _voting(team, method: str) -> tuple[Room, Proposal]:
    room = make_room(team, method=method)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    return room, proposal


def _decided_in_round_one(team, method: str) -> tuple[Room, Proposal]:
    """A proposal adopted in round 1, in a workshop voting again in round 2."""
    room = make_room(team, method=method)
    room.to("drafting")
    adopted, redrafted = room.propose(title="Adopt me"), room.propose(title="Redraft me")
    room.to("voting")
    good = "agree" if method == VotingMethod.CONSENT else 5
    for voter in room.voters:
        room.vote(voter, adopted, good)
    room.vote(room.voters[0], redrafted, "object" if method == VotingMethod.CONSENT else 1, "No")
    room.to("revealed")
    workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=adopted)
    with pytest.raises(Conflict):
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=redrafted)
    room.workshop = workshop_new_round(actor=room.facilitator, workshop=room.workshop)
    room.to("voting")
    return room, Proposal.objects.select_related("workshop").get(pk=adopted.pk)


REFUSALS = {
    "revealed": (Conflict, {"phase": ["Votes are cast in the voting phase."]}),
    "observer": (
        Forbidden,
        {"non_field_errors": ["Only voters invited to this workshop can vote."]},
    ),
    "decided": (Conflict, {"non_field_errors": ["This proposal was already decided on."]}),
}


@pytest.mark.parametrize("method", [VotingMethod.CONSENT, VotingMethod.SCORE])
@pytest.mark.parametrize("case", ["revealed", "observer", "decided", "value"])
def test_a_refused_ballot_gives_its_first_reason_and_writes_nothing(team, method, case):
    """Each case also has a value outside the method's range: the phase, the seat and the
    proposal come first, as they do in the locked transaction."""
    if case == "decided":
        room, proposal = _decided_in_round_one(team, method)
    else:
        room, proposal = _voting(team, method)
    if case == "revealed":
        room.to("revealed")
    voter = room.observer if case == "observer" else room.voters[0]
    votes, events = Vote.objects.count(), WorkshopEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        vote_cast(actor=voter, proposal=proposal, value=BAD_VALUE[method])

    if case == "value":
        assert type(refused.value) is DomainError
        assert list(refused.value.errors) == ["value"]
    else:
        assert (type(refused.value), refused.value.errors) == REFUSALS[case]
    assert (Vote.objects.count(), WorkshopEvent.objects.count()) == (votes, events)


@pytest.mark.parametrize("method", [VotingMethod.CONSENT, VotingMethod.SCORE, VotingMethod.DOT])
def test_each_ballot_tells_the_room_how_many_have_voted_this_round(team, method):
    room, proposal = _voting(team, method)
    first, second = room.voters[0], room.voters[1]
    value = {VotingMethod.CONSENT: "agree", VotingMethod.SCORE: "4", VotingMethod.DOT: "2"}[method]
    since = WorkshopEvent.objects.order_by("pk").last().pk

    cast = [
        vote_cast(actor=first, proposal=proposal, value=value, reason="  Fits the goal  "),
        vote_cast(actor=first, proposal=proposal, value=value),
        vote_cast(actor=second, proposal=proposal, value=value),
    ]

    told = WorkshopEvent.objects.filter(pk__gt=since).order_by("pk")
    assert [(event.kind, event.data) for event in told] == [
        ("votes", {"voted": 1}),
        ("votes", {"voted": 1}),
        ("votes", {"voted": 2}),
    ]
    stored = {vote.pk: vote for vote in Vote.objects.all()}
    assert len(stored) == 2
    for vote in (cast[1], cast[2]):  # the first was replaced by the second
        kept = stored[vote.pk]
        assert (vote.proposal_id, vote.voter_id, vote.round, vote.value, vote.reason) == (
            kept.proposal_id, kept.voter_id, kept.round, kept.value, kept.reason,
        )  # fmt: skip
        assert vote.cast_at == kept.cast_at
    assert cast[0].reason == "Fits the goal" and cast[0].pk == cast[1].pk


@pytest.mark.parametrize(
    ("planned", "actual", "value"),
    [
        (VotingMethod.CONSENT, VotingMethod.SCORE, 4),
        (VotingMethod.SCORE, VotingMethod.CONSENT, "agree"),
    ],
)
def test_a_ballot_read_under_another_voting_method_is_cast_by_the_method_in_force(
    team, planned, actual, value
):
    """The ballot's lookup read the method a moment before the statement: had the method
    changed meanwhile (while planned), the method in force judges the value."""
    room, proposal = _voting(team, actual)
    stale = get_proposal_to_vote_on(room.voters[0], proposal.pk)
    stale.workshop.voting_method = planned

    vote_cast(actor=room.voters[0], proposal=stale, value=value)

    assert Vote.objects.get().value == str(value)


@pytest.mark.postgres
def test_a_ballot_is_three_queries_through_the_api(team, api):
    """The token, the proposal with its voting method, and the ballot's one statement."""
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    room, proposal = _voting(team, VotingMethod.SCORE)
    client = api(room.voters[0])
    with CaptureQueriesContext(connection) as queries:
        response = client.put(f"/api/proposals/{proposal.pk}/vote/", {"value": "4"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"proposal": proposal.pk, "value": "4", "reason": "", "round": 1}
    assert len(queries) == 3, [query["sql"][:80] for query in queries]
