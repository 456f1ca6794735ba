"""Anonymous workshops: nothing shows who cast which ballot, not even through its order; and
before the reveal nothing anyone sees changes with the value of a vote (zero dots included)."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.apps import apps

from goals.errors import Conflict
from goals.models import Level
from tests.workshops.conftest import Room, make_room
from workshops import selectors
from workshops.models import Decision, VotingMethod, WorkshopEvent
from workshops.services.decisions import workshop_decide
from workshops.services.setup import workshop_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# The same three ballots, cast by the same three people in two workshops: once handed out in
# the order of the voters' ids, once in the reverse order.
BALLOTS = [("object", "too risky"), ("agree", ""), ("object", "another reason")]


def twin_room(room: Room, team) -> Room:
    """A second anonymous workshop on the same chain, with the same people in it."""
    workshop = workshop_create(
        actor=team.leader,
        product=team.product,
        title=room.workshop.title,
        target_level=Level.PRODUCT,
        parent_goal=room.parent,
        facilitator=team.leader,
        anonymous=True,
    )
    twin = Room(workshop, room.facilitator, room.voters, room.observer, room.parent)
    for voter in room.voters:
        twin.seat(voter)
    twin.seat(team.stakeholder)
    return twin


def vote_and_reveal(room: Room, ballots) -> int:
    """Voters in ascending id order cast `ballots` in that order; returns the proposal id."""
    room.to("drafting")
    proposal = room.propose(title="Meal planner")
    room.to("voting")
    for voter, (value, reason) in zip(
        sorted(room.voters, key=lambda u: u.pk), ballots, strict=True
    ):
        room.vote(voter, proposal, value, reason)
    room.to("revealed")
    return proposal.pk


def without_ids(text: str, room: Room, proposal_id: int) -> str:
    """The text with the workshop's and proposal's ids, and CSRF tokens, blanked out."""
    text = text.replace(f"/workshops/{room.workshop.pk}/", "/workshops/W/")
    text = re.sub(rf"(proposal-|proposals/|'proposal': |value=\"){proposal_id}\b", r"\1P", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


@pytest.fixture
def twins(team):
    ascending = make_room(team, anonymous=True)
    descending = twin_room(ascending, team)
    first = vote_and_reveal(ascending, BALLOTS)
    second = vote_and_reveal(descending, list(reversed(BALLOTS)))
    return (ascending, first), (descending, second)


def test_the_results_api_is_the_same_whoever_cast_which_ballot(twins, team, api):
    answers = []
    for room, _ in twins:
        data = api(team.stakeholder).get(f"/api/workshops/{room.workshop.pk}/results/").json()
        result = data["proposals"][0]
        result.pop("proposal")
        answers.append((result, data["participants"]))
    assert answers[0] == answers[1]
    result, participants = answers[0]
    assert result["objections"] == [{"reason": "another reason"}, {"reason": "too risky"}]
    assert result["votes"] == []
    assert list(result["tally"]["counts"]) == ["agree", "object"]
    names = [p["name"] for p in participants]
    assert names == sorted(names, key=str.casefold)


def test_the_room_page_is_the_same_whoever_cast_which_ballot(twins, team, browser_client):
    client = browser_client(team.stakeholder)
    cards = []
    for room, proposal_id in twins:
        html = client.get(f"/workshops/{room.workshop.pk}/live/", **HTMX).content.decode()
        card = re.search(r'<article id="proposal-.*?</article>', html, re.S).group(0)
        people = re.search(r'<section id="room-participants".*?</section>', html, re.S).group(0)
        cards.append(without_ids(card + people, room, proposal_id))
    assert cards[0] == cards[1]
    assert cards[0].index("another reason") < cards[0].index("too risky")
    for voter in twins[0][0].voters:
        assert f"<strong>{voter.name}:</strong>" not in cards[0]


def test_the_events_and_the_stored_decision_are_the_same_whoever_voted_what(twins):
    records = []
    for room, proposal_id in twins:
        with pytest.raises(Conflict):
            workshop_decide(
                actor=room.facilitator,
                workshop=room.workshop,
                proposal=room.workshop.proposals.get(),
            )
        decision = Decision.objects.get(workshop=room.workshop)
        events = [
            (e.kind, without_ids(str(e.data), room, proposal_id))
            for e in WorkshopEvent.objects.filter(workshop=room.workshop).order_by("pk")
        ]
        records.append((decision.tallies, decision.objections, decision.reason, events))
    assert records[0] == records[1]
    assert records[0][1] == [{"reason": "another reason"}, {"reason": "too risky"}]


def test_objections_are_ordered_by_value_then_reason_when_named_too(team):
    room = make_room(team, method=VotingMethod.SCORE)
    ballots = [("1", "zz last"), ("2", ""), ("1", "aa first")]
    vote_and_reveal(room, ballots)
    tally = selectors.proposal_tallies(room.workshop)
    objections = next(iter(tally.values())).objections
    assert [o["reason"] for o in objections] == ["aa first", "zz last"]


# "Voted" means "cast a ballot" -----------------------------------------------------------------


def test_moving_to_zero_dots_still_shows_the_voter_as_voted(team, api, browser_client):
    room = make_room(team, method=VotingMethod.DOT, rule="majority")
    room.to("drafting")
    proposal = room.propose()
    room.propose(title="Shopping list")
    room.to("voting")
    voter = room.voters[0]
    client = browser_client(team.stakeholder)

    def seen() -> tuple[str, dict, object]:
        live = client.get(f"/workshops/{room.workshop.pk}/live/", **HTMX).content.decode()
        results = api(team.stakeholder).get(f"/api/workshops/{room.workshop.pk}/results/")
        event = WorkshopEvent.objects.filter(workshop=room.workshop).latest("pk")
        return without_ids(live, room, proposal.pk), results.json(), (event.kind, event.data)

    room.vote(voter, proposal, 2)
    with_dots = seen()
    room.vote(voter, proposal, 0)
    without_dots = seen()
    assert with_dots == without_dots
    person = re.search(
        rf'<span class="person-name">{voter.name}.*?</li>', without_dots[0], re.S
    ).group(0)
    assert "Voted" in person and "Not voted yet" not in person
    assert {p["user"]: p["has_voted"] for p in without_dots[1]["participants"]}[voter.pk]
    assert without_dots[1]["voted"] == 1
    assert without_dots[2] == ("votes", {"voted": 1})


def test_a_voter_with_no_dots_anywhere_counts_as_a_voter_in_the_tally(team):
    room = make_room(team, method=VotingMethod.DOT, rule="unanimous")
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, 3)
    room.vote(room.voters[1], proposal, 0)
    room.to("revealed")
    count = selectors.proposal_tallies(room.workshop)[proposal.pk]
    assert (count.voters, count.supporters) == (2, 1)
    with pytest.raises(Conflict):
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)


def test_the_migration_orders_decisions_recorded_before_by_value(team):

    migration = import_module("workshops.migrations.0003_cancel_and_not_held")
    room = make_room(team, anonymous=True)
    room.to("drafting")
    proposal = room.propose()
    decision = Decision.objects.create(
        workshop=room.workshop,
        proposal=proposal,
        rule="consent",
        voting_method="consent",
        passed=False,
        tallies={"voters": 3, "counts": {"object": 2, "agree": 1}},
        objections=[{"reason": "zz"}, {"reason": "aa"}],
    )
    migration.order_anonymous_records(apps, None)
    decision.refresh_from_db()
    assert decision.objections == [{"reason": "aa"}, {"reason": "zz"}]
    assert list(decision.tallies["counts"]) == ["agree", "object"]
