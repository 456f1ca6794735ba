"""Numbers typed into the room are the digits 0 to 9: "²", "٣" or "①" is refused with a 400,
never a server error ([2/7] item 3)."""

from __future__ import annotations

import asyncio

import pytest
from django.test import AsyncClient

from accounts.tokens import token_create
from goals.rules.timeframes import whole_number
from tests.workshops.conftest import make_room
from tests.workshops.test_pages import proposal_data
from workshops.models import Proposal, Vote, VotingMethod

pytestmark = pytest.mark.django_db

ODD_DIGITS = ["²", "٣", "①", "3²", "𝟑", "1_0", "", " ", "-"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), (" 12 ", 12), ("-2", -2), ("007", 7), *((odd, None) for odd in ODD_DIGITS)],
)
def test_it_reads_whole_numbers_in_the_digits_0_to_9_only(text, number):
    assert whole_number(text) == number


def test_it_refuses_a_number_too_long_for_any_column():
    assert whole_number("9" * 18) == 10**18 - 1
    assert whole_number("9" * 19) is None
    assert whole_number("9" * 5000) is None


@pytest.mark.parametrize(
    "method", [VotingMethod.DOT, VotingMethod.SCORE, VotingMethod.FIST_OF_FIVE]
)
@pytest.mark.parametrize("value", ["²", "٣", "①", "3²"])
def test_it_refuses_a_vote_in_other_digits(team, api, method, value):
    room = make_room(team, method=method, rule="majority")
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    response = api(room.voters[0]).put(
        f"/api/proposals/{proposal.pk}/vote/", {"value": value}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "value" in response.json()
    assert not Vote.objects.exists()


def test_it_still_takes_a_vote_written_as_text_in_plain_digits(team, api):
    room = make_room(team, method=VotingMethod.SCORE, rule="majority")
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    response = api(room.voters[0]).put(
        f"/api/proposals/{proposal.pk}/vote/", {"value": " 4 "}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Vote.objects.get().value == "4"


@pytest.mark.parametrize("owner", ["²", "①"])
def test_a_draft_key_result_owner_in_other_digits_is_no_server_error(team, browser_client, owner):
    room = make_room(team)
    room.to("drafting")
    data = proposal_data(
        **{
            "key_results-0-title": "Plans made",
            "key_results-0-baseline": "0",
            "key_results-0-target": "100",
            "key_results-0-owner": owner,
        }
    )
    response = browser_client(room.voters[0]).post(
        f"/workshops/{room.workshop.pk}/proposals/", data
    )
    assert response.status_code == 302
    # Drafts may leave the owner open: what is not a person's id names nobody.
    assert Proposal.objects.get().key_results[0]["owner"] is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("query", "status"),
    [("?seconds=²&after=0", 200), ("?after=²", 400), (f"?after={'9' * 30}", 400)],
)
def test_the_event_stream_reads_its_numbers_in_plain_digits(team, query, status):
    room = make_room(team)
    _, token = token_create(user=team.leader, name="Tests")

    async def answer() -> int:
        response = await AsyncClient().get(
            f"/api/workshops/{room.workshop.pk}/events/{query}",
            headers={"authorization": f"Token {token}"},
        )
        return response.status_code

    assert asyncio.run(answer()) == status
