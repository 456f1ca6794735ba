"""No page, partial or list shows a vote value before the reveal; only who has voted.

Each vote carries a reason nobody else may read, so a leak of any value shows up as text.
"""

from __future__ import annotations

import pytest

from tests.workshops.conftest import make_room

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
REASONS = {0: "secret-objection-of-voter-one", 1: "secret-abstention-of-voter-two"}


@pytest.fixture
def voted(team):
    room = make_room(team)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "object", REASONS[0])
    room.vote(room.voters[1], proposal, "abstain", REASONS[1])
    return room, proposal


def pages(room, proposal) -> list[tuple[str, dict]]:
    workshop = room.workshop.pk
    return [
        (f"/workshops/{workshop}/", {}),
        (f"/workshops/{workshop}/", HTMX),
        (f"/workshops/{workshop}/live/", HTMX),
        (f"/proposals/{proposal.pk}/", HTMX),
        (f"/proposals/{proposal.pk}/history/", {}),
        (f"/products/{room.workshop.product_id}/workshops/", {}),
    ]


def test_leaders_facilitators_observers_and_other_voters_see_no_value(team, voted, client):
    room, proposal = voted
    for person in (team.leader, team.org_admin, team.stakeholder, room.voters[2]):
        client.force_login(person)
        for path, headers in pages(room, proposal):
            response = client.get(path, **headers)
            body = response.content.decode()
            assert response.status_code == 200, (person, path)
            for reason in REASONS.values():
                assert reason not in body, (person, path)
            assert 'class="tally"' not in body, (person, path)
            assert "your vote:" not in body, (person, path)


def test_a_voter_sees_their_own_vote_and_nobody_elses(voted, client):
    room, proposal = voted
    client.force_login(room.voters[0])
    for path, headers in pages(room, proposal):
        body = client.get(path, **headers).content.decode()
        assert REASONS[1] not in body, path
        assert 'class="tally"' not in body, path
    body = client.get(f"/workshops/{room.workshop.pk}/").content.decode()
    assert "your vote: <strong>Object</strong>" in body
    assert REASONS[0] in body  # in their own ballot, to change it


def test_the_answer_to_a_vote_shows_no_other_value(voted, client):
    room, proposal = voted
    client.force_login(room.voters[2])
    data = {f"v{proposal.pk}-value": "agree", f"v{proposal.pk}-reason": ""}
    body = client.post(f"/proposals/{proposal.pk}/vote/", data, **HTMX).content.decode()
    assert "Your vote is in." in body
    for reason in REASONS.values():
        assert reason not in body
    assert "your vote: <strong>Agree</strong>" in body and 'class="tally"' not in body


def test_the_room_shows_who_has_voted_but_not_how(team, voted, client):
    room, _ = voted
    client.force_login(team.leader)
    body = client.get(f"/workshops/{room.workshop.pk}/").content.decode()
    assert "<strong>2 of 3</strong> voters have voted." in body
    assert body.count("Voted</span>") == 2 and "Not voted yet" in body


def test_the_values_appear_once_revealed(team, voted, client):
    room, _ = voted
    room.to("revealed")
    client.force_login(team.stakeholder)
    body = client.get(f"/workshops/{room.workshop.pk}/live/", **HTMX).content.decode()
    assert REASONS[0] in body and REASONS[1] in body
    assert 'class="tally"' in body
