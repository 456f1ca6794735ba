"""A workshop's time and a proposal's dates lie between 1970 and 2200: anything else is
refused in words, in the API and on the pages alike, and nothing changes ([2/7] item 3)."""

from __future__ import annotations

from html import unescape

import pytest

from goals.models import Level
from goals.rules.timeframes import DATE_WINDOW_MESSAGE
from tests.workshops.conftest import Room, make_room
from tests.workshops.test_pages import proposal_data
from tests.workshops.test_pages_planning import plan_data
from workshops.models import Proposal, Workshop
from workshops.services.setup import workshop_create

pytestmark = pytest.mark.django_db

ODD_DAYS = ["0026-05-01", "1969-12-31", "2201-01-01", "9999-12-31"]


def _snapshot() -> list[tuple]:
    return [
        *Workshop.objects.order_by("pk").values_list("pk", "scheduled_at"),
        *Proposal.objects.order_by("pk").values_list("pk", "starts_on", "ends_on"),
    ]


@pytest.fixture
def room(team):
    """A planned workshop, and a drafting one with a proposal."""
    planned = make_room(team)
    workshop = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Drafting now",
        target_level=Level.PRODUCT,
        parent_goal=planned.parent,
        facilitator=team.leader,
    )
    drafting = Room(workshop, team.leader, planned.voters, team.stakeholder, planned.parent)
    drafting.seat(planned.voters[0])
    drafting.to("drafting")
    proposal = drafting.propose()
    return planned, drafting, proposal


def _workshop_body(team, room, day):
    return {
        "product": team.product.pk,
        "title": "Roadmap",
        "target_level": "product",
        "parent_goal": room.parent.pk,
        "scheduled_at": f"{day}T10:00:00Z",
    }


API_INPUTS = {
    "plan a workshop": ("post", "/api/workshops/", _workshop_body, "scheduled_at"),
    "move a workshop": (
        "patch",
        "/api/workshops/{planned}/",
        lambda team, room, day: {"version": 1, "scheduled_at": f"{day}T10:00:00+02:00"},
        "scheduled_at",
    ),
    "draft a proposal": (
        "post",
        "/api/workshops/{drafting}/proposals/",
        lambda team, room, day: {"title": "Meal plans", "starts_on": day},
        "starts_on",
    ),
    "amend a proposal": (
        "patch",
        "/api/proposals/{proposal}/",
        lambda team, room, day: {"version": 1, "ends_on": day},
        "ends_on",
    ),
}


@pytest.mark.parametrize("day", ODD_DAYS)
@pytest.mark.parametrize("name", API_INPUTS)
def test_it_refuses_a_date_outside_the_window_in_the_api(team, room, api, name, day):
    planned, drafting, proposal = room
    method, path, body, field = API_INPUTS[name]
    url = path.format(
        planned=planned.workshop.pk, drafting=drafting.workshop.pk, proposal=proposal.pk
    )
    before = _snapshot()
    client = api(drafting.voters[0] if "proposal" in name else team.leader)
    response = getattr(client, method)(url, body(team, planned, day), format="json")
    assert response.status_code == 400, response.content
    assert response.json()[field] == [DATE_WINDOW_MESSAGE]
    assert _snapshot() == before


def _edit_data(team, room, day):
    return {
        **plan_data(scheduled_at=f"{day}T10:00", facilitator=team.leader.pk),
        "version": room.workshop.version,
    }


PAGE_INPUTS = {
    "plan a workshop": (
        "/products/{product}/workshops/new/",
        lambda team, room, day: plan_data(
            scheduled_at=f"{day}T10:00", parent_goal=room.parent.pk, facilitator=team.leader.pk
        ),
    ),
    "move a workshop": ("/workshops/{planned}/edit/", _edit_data),
    "draft a proposal": (
        "/workshops/{drafting}/proposals/",
        lambda team, room, day: proposal_data(starts_on=day),
    ),
    "amend a proposal": (
        "/proposals/{proposal}/",
        lambda team, room, day: proposal_data("p{proposal}", ends_on=day, version=1),
    ),
}


@pytest.mark.parametrize("day", ODD_DAYS)
@pytest.mark.parametrize("name", PAGE_INPUTS)
def test_it_refuses_a_date_outside_the_window_on_the_pages(team, room, browser_client, name, day):
    planned, drafting, proposal = room
    path, form = PAGE_INPUTS[name]
    ids = {
        "product": team.product.pk,
        "planned": planned.workshop.pk,
        "drafting": drafting.workshop.pk,
        "proposal": proposal.pk,
    }
    data = {key.format(**ids): value for key, value in form(team, planned, day).items()}
    before = _snapshot()
    client = browser_client(drafting.voters[0] if "proposal" in name else team.leader)
    response = client.post(path.format(**ids), data)
    assert response.status_code == 400, response.content
    assert DATE_WINDOW_MESSAGE in unescape(response.content.decode())
    assert _snapshot() == before


def test_the_planning_form_offers_only_times_in_the_window(team, room, browser_client):
    planned, _, _ = room
    html = browser_client(team.leader).get(f"/workshops/{planned.workshop.pk}/edit/")
    assert 'min="1970-01-01T00:00"' in html.content.decode()
    assert 'max="2200-12-31T23:59"' in html.content.decode()


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:00-05:00"])
def test_a_moment_past_the_ends_of_the_calendar_gets_the_same_words(team, room, api, moment):
    planned, _, _ = room
    body = {**_workshop_body(team, planned, "2027-01-01"), "scheduled_at": moment}
    response = api(team.leader).post("/api/workshops/", body, format="json")
    assert response.status_code == 400
    assert response.json()["scheduled_at"] == [DATE_WINDOW_MESSAGE]
