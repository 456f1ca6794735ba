"""Nobody sees a vote value before the reveal, and anonymous workshops never show voters."""

import asyncio
import json

import pytest
from django.test import AsyncClient

from accounts.tokens import token_create
from tests.workshops.conftest import make_room
from workshops import selectors

pytestmark = pytest.mark.django_db

SECRET_REASON = "secret-objection-reason"


def voted_room(team, **kw):
    room = make_room(team, **kw)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "object", SECRET_REASON)
    room.vote(room.voters[1], proposal, "abstain")
    return room, proposal


def test_results_show_only_who_voted_before_the_reveal(team, api):
    room, _ = voted_room(team)
    for user in (team.leader, *room.voters, team.stakeholder):
        body = api(user).get(f"/api/workshops/{room.workshop.pk}/results/").content.decode()
        for leaked in ("object", "abstain", SECRET_REASON):
            assert leaked not in body, (user, leaked)
        data = json.loads(body)
        assert data["voted"] == 2 and data["voters"] == 3
        assert {p["user"]: p["has_voted"] for p in data["participants"]}[room.voters[2].pk] is False


def test_other_endpoints_do_not_leak_values_before_the_reveal(team, api):
    room, proposal = voted_room(team)
    client = api(team.leader)
    for path in (
        f"/api/workshops/{room.workshop.pk}/",
        f"/api/workshops/{room.workshop.pk}/proposals/",
        f"/api/workshops/{room.workshop.pk}/participants/",
        f"/api/proposals/{proposal.pk}/",
        f"/api/proposals/{proposal.pk}/revisions/",
        "/api/workshops/",
    ):
        body = client.get(path).content.decode()
        assert "abstain" not in body and SECRET_REASON not in body, path


def test_results_after_the_reveal_show_tallies_objections_and_names(team, api):
    room, _ = voted_room(team)
    room.to("revealed")
    data = api(team.stakeholder).get(f"/api/workshops/{room.workshop.pk}/results/").json()
    result = data["proposals"][0]
    assert result["tally"]["counts"] == {"object": 1, "abstain": 1}
    assert result["objections"] == [
        {"voter": room.voters[0].pk, "name": room.voters[0].name, "reason": SECRET_REASON}
    ]
    assert {v["name"] for v in result["votes"]} == {room.voters[0].name, room.voters[1].name}


def test_anonymous_workshops_never_name_voters(team, api):
    room, _ = voted_room(team, anonymous=True)
    room.to("revealed")
    body = api(team.leader).get(f"/api/workshops/{room.workshop.pk}/results/").json()
    result = body["proposals"][0]
    assert result["objections"] == [{"reason": SECRET_REASON}]
    assert result["votes"] == []
    assert room.voters[0].name not in json.dumps(result)


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_announces_votes_without_values(team):
    room = make_room(team)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    _, token = token_create(user=team.leader, name="Tests")
    room.vote(room.voters[0], proposal, "object", SECRET_REASON)

    async def read() -> str:
        response = await AsyncClient().get(
            f"/api/workshops/{room.workshop.pk}/events/?after=0&seconds=1",
            headers={"authorization": f"Token {token}"},
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        return b"".join([chunk async for chunk in response.streaming_content]).decode()

    stream = asyncio.run(read())
    assert "event: votes" in stream and "event: proposal" in stream and "event: phase" in stream
    assert "object" not in stream and SECRET_REASON not in stream
    assert '"voted": 1' in stream


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_refuses_strangers(team):
    room = make_room(team)
    _, token = token_create(user=team.outsider, name="Tests")

    async def status(headers) -> int:
        response = await AsyncClient().get(
            f"/api/workshops/{room.workshop.pk}/events/?seconds=1", headers=headers
        )
        return response.status_code

    assert asyncio.run(status({"authorization": f"Token {token}"})) == 404
    assert asyncio.run(status({})) == 401


def test_the_selector_counts_voters_not_values(team):
    room, _ = voted_room(team)
    data = selectors.results(room.workshop)
    assert data["proposals"] == []
