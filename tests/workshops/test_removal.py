"""Taking someone off a product (or the organisation) ends their seats in its workshops, their
open event streams, and any right to write to goals and key results they still own."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from accounts.tokens import token_create
from goals.errors import Forbidden, NotFound
from goals.models import (
    Goal,
    Level,
    OrganizationMembership,
    ProductMembership,
    ProductRole,
    Status,
)
from goals.services.check_ins import Value, check_in_create
from goals.services.organizations import organization_member_remove, product_member_remove
from goals.services.outcomes import sprint_verdict_set
from tests.factories import KeyResultFactory, UserFactory, add_member, make_chain
from tests.workshops.conftest import make_room
from workshops.access import get_proposal, get_proposal_to_vote_on, may_enter, visible_workshops
from workshops.models import Participant, Vote
from workshops.services.setup import workshop_create, workshop_update
from workshops.services.votes import vote_cast

pytestmark = pytest.mark.django_db


def voting_room(team):
    room = make_room(team)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "object", "not now")
    room.vote(room.voters[1], proposal, "agree")
    return room, proposal


def test_taking_someone_off_the_product_ends_their_seats_and_hidden_votes(team):
    room, proposal = voting_room(team)
    leaving = room.voters[0]
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=leaving)
    )
    assert not Participant.objects.filter(user=leaving).exists()
    assert list(Vote.objects.values_list("voter", flat=True)) == [room.voters[1].pk]
    assert room.workshop.events.filter(kind="participants").exists()
    with pytest.raises(Forbidden):
        vote_cast(actor=leaving, proposal=proposal, value="object", reason="again")


def test_taking_someone_off_the_organisation_ends_their_seats_too(team):
    room, _ = voting_room(team)
    leaving = room.voters[1]
    organization_member_remove(
        membership=OrganizationMembership.objects.get(
            organization=team.product.organization, user=leaving
        )
    )
    assert not Participant.objects.filter(user=leaving).exists()
    assert not Vote.objects.filter(voter=leaving).exists()


def test_a_removed_member_no_longer_enters_the_room_by_api_or_page(team, api, browser_client):
    room, proposal = voting_room(team)
    leaving = room.voters[0]
    assert api(leaving).get(f"/api/workshops/{room.workshop.pk}/").status_code == 200
    response = api(team.leader).delete(
        f"/api/products/{team.product.pk}/members/"
        f"{ProductMembership.objects.get(product=team.product, user=leaving).pk}/"
    )
    assert response.status_code == 204
    assert api(leaving).get(f"/api/workshops/{room.workshop.pk}/").status_code == 404
    vote = api(leaving).put(f"/api/proposals/{proposal.pk}/vote/", {"value": "agree"})
    assert vote.status_code == 404  # the room is no longer visible to them
    assert browser_client(leaving).get(f"/workshops/{room.workshop.pk}/").status_code == 404


def test_a_removed_facilitator_no_longer_enters_the_room(team, api):
    room = make_room(team)
    workshop_update(
        actor=team.leader,
        workshop=room.workshop,
        data={"facilitator": team.member},
        version=room.workshop.version,
    )
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=team.member)
    )
    assert api(team.member).get(f"/api/workshops/{room.workshop.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_open_event_stream_ends_within_seconds_of_the_removal(team, settings):
    settings.WORKSHOP_STREAM_RECHECK_SECONDS = 0.2
    room = make_room(team)
    leaving = room.voters[0]
    _, token = token_create(user=leaving, name="Tests")
    membership = ProductMembership.objects.get(product=team.product, user=leaving)

    async def listen() -> float:
        response = await AsyncClient().get(
            f"/api/workshops/{room.workshop.pk}/events/?seconds=20",
            headers={"authorization": f"Token {token}"},
        )
        assert response.status_code == 200
        chunks = aiter(response.streaming_content)
        await anext(chunks)  # the stream is open
        removed_at = time.monotonic()
        await sync_to_async(product_member_remove)(membership=membership)
        async for _ in chunks:
            pass
        return time.monotonic() - removed_at

    assert asyncio.run(listen()) < 3


@pytest.mark.django_db(transaction=True)
def test_a_stream_stays_open_while_the_listener_may_enter(team, settings):
    settings.WORKSHOP_STREAM_RECHECK_SECONDS = 0.2
    room = make_room(team)
    _, token = token_create(user=room.voters[0], name="Tests")

    async def listen() -> float:
        started = time.monotonic()
        response = await AsyncClient().get(
            f"/api/workshops/{room.workshop.pk}/events/?seconds=1",
            headers={"authorization": f"Token {token}"},
        )
        async for _ in response.streaming_content:
            pass
        return time.monotonic() - started

    assert asyncio.run(listen()) >= 1


# Owning a goal or key result gives no right once off the product --------------------------


@pytest.fixture
def owned(team):
    chain = make_chain(team.product)
    key_result = KeyResultFactory(
        goal=chain.product_goal,
        title="Weekly planners",
        baseline=Decimal(100),
        target=Decimal(300),
        current=Decimal(100),
        owner=team.member,
    )
    chain.product_goal.owner = team.member
    chain.product_goal.save(update_fields=["owner"])
    return chain.product_goal, key_result


def test_an_owner_checks_in_while_a_member_and_not_once_removed(team, owned, api):
    goal, key_result = owned
    assert goal.status == Status.AGREED
    check_in_create(
        actor=team.member, goal=goal, values=[Value(key_result.pk, Decimal(150))], confidence=4
    )
    # As a stakeholder they still own it: owning lets a product member check in.
    ProductMembership.objects.filter(product=team.product, user=team.member).update(
        role="stakeholder"
    )
    check_in_create(
        actor=team.member, goal=goal, values=[Value(key_result.pk, Decimal(160))], confidence=4
    )
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=team.member)
    )
    with pytest.raises(Forbidden):
        check_in_create(
            actor=team.member, goal=goal, values=[Value(key_result.pk, Decimal(170))], confidence=4
        )
    response = api(team.member).post(
        f"/api/goals/{goal.pk}/check-ins/",
        {"values": [{"key_result": key_result.pk, "value": 180}], "confidence": 3},
    )
    assert response.status_code == 403
    key_result.refresh_from_db()
    assert key_result.current == Decimal(160)


def test_a_removed_owner_cannot_edit_their_goal_or_key_result(team, owned, api):
    goal, key_result = owned
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=team.member)
    )
    client = api(team.member)
    edited = client.patch(
        f"/api/goals/{goal.pk}/",
        {"title": "Mine still", "version": goal.version, "change_reason": "mine"},
    )
    assert edited.status_code == 403
    changed = client.patch(
        f"/api/key-results/{key_result.pk}/",
        {"current": 250, "version": key_result.version, "change_reason": "mine"},
    )
    assert changed.status_code == 403
    goal.refresh_from_db()
    key_result.refresh_from_db()
    assert (goal.title, key_result.current) != ("Mine still", Decimal(250))


@time_machine.travel(datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False)
def test_a_removed_owner_gives_no_sprint_verdict(team):
    chain = make_chain(team.product)
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        owner=team.member, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 16)
    )
    sprint = Goal.objects.get(pk=chain.sprint_goal.pk)
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=team.member)
    )
    with pytest.raises(Forbidden):
        sprint_verdict_set(actor=team.member, goal=sprint, verdict="met")
    sprint.refresh_from_db()
    assert not sprint.sprint_verdict


@time_machine.travel(datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False)
def test_a_removed_owner_is_offered_no_verdict_form(team, browser_client):
    chain = make_chain(team.product)
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        owner=team.member, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 16)
    )
    verdict_url = f"/goals/{chain.sprint_goal.pk}/verdict/"
    page = f"/goals/{chain.sprint_goal.pk}/"
    assert verdict_url in browser_client(team.member).get(page).content.decode()
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=team.member)
    )
    assert verdict_url not in browser_client(team.member).get(page).content.decode()
    assert (
        browser_client(team.member)
        .post(verdict_url, {"sprint_verdict": "met", "version": 1})
        .status_code
        == 403
    )


def test_the_compiled_entry_check_agrees_with_who_sees_the_workshop(team):
    """may_enter (a ballot's and an event stream's check, its SQL compiled once) lets in
    exactly the people visible_workshops lets in, taken off the product or not."""
    room = make_room(team)
    facilitated = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Nobody seated",
        target_level=Level.PRODUCT,
        parent_goal=room.parent,
        facilitator=room.voters[0],
    )
    unseated = add_member(team.product, UserFactory(), ProductRole.TEAM)
    leaving = room.voters[1]
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=leaving)
    )
    people = [
        team.leader, *room.voters, team.stakeholder, team.org_admin, team.outsider, unseated,
    ]  # fmt: skip
    for workshop in (room.workshop, facilitated):
        for person in people:
            sees = visible_workshops(person).filter(pk=workshop.pk).exists()
            assert may_enter(person, workshop.pk) == sees, (person, workshop)
    assert not may_enter(leaving, room.workshop.pk)
    assert may_enter(room.voters[0], room.workshop.pk)
    assert not may_enter(team.outsider, room.workshop.pk)
    assert not may_enter(team.leader, 10**9)


def test_the_ballots_compiled_proposal_lookup_agrees_with_the_proposal_shown(team):
    """get_proposal_to_vote_on (one query, compiled once) finds a proposal for exactly the
    people get_proposal shows it to, taken off the product or not; other ids are not found."""
    room = make_room(team)
    room.to("drafting")
    proposal = room.propose()
    leaving = room.voters[1]
    product_member_remove(
        membership=ProductMembership.objects.get(product=team.product, user=leaving)
    )
    people = [team.leader, *room.voters, team.stakeholder, team.org_admin, team.outsider]
    seen_by = []
    for person in people:
        try:
            shown = get_proposal(person, proposal.pk)
        except NotFound:
            shown = None
        try:
            found = get_proposal_to_vote_on(person, proposal.pk)
        except NotFound:
            found = None
        assert (found is None) == (shown is None), person
        if found is not None:
            seen_by.append(person)
            assert (found.pk, found.workshop_id, found.status) == (
                proposal.pk, proposal.workshop_id, proposal.status,
            )  # fmt: skip
    assert leaving not in seen_by and team.outsider not in seen_by
    assert room.voters[0] in seen_by and team.leader in seen_by
    for pk in (10**9, 2**63, -1, "x"):
        with pytest.raises(NotFound):
            get_proposal_to_vote_on(team.leader, pk)
