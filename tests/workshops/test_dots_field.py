""" "Dots per voter" belongs to dot voting: the planning and edit forms show it for dot voting
only, and with any other method what the hidden box holds is ignored ([2/7] item 14)."""

from __future__ import annotations

import re

import pytest

from tests.workshops.conftest import make_room
from tests.workshops.test_pages_planning import plan_data
from workshops.models import VotingMethod, Workshop

pytestmark = pytest.mark.django_db


def dots_box(html: str) -> str:
    """The element around the dots field, as the page opens it."""
    match = re.search(r'<div data-shown-for-voting="dot"[^>]*>', html)
    assert match, "no dots field on the page"
    return match.group()


def shown(html: str) -> bool:
    return " hidden" not in dots_box(html)


def test_the_planning_form_hides_the_dots_until_dot_voting_is_chosen(team, goals, browser_client):
    html = browser_client(team.leader).get(f"/products/{team.product.pk}/workshops/new/")
    assert not shown(html.content.decode())
    assert 'src="/static/js/voting_method.js"' in html.content.decode()


@pytest.mark.parametrize(
    ("method", "visible"), [("dot", True), ("consent", False), ("score", False)]
)
def test_a_form_sent_back_with_errors_shows_the_dots_for_its_method(
    team,
    goals,
    browser_client,
    method,
    visible,
):
    data = plan_data(title="", voting_method=method, decision_rule="majority")
    response = browser_client(team.leader).post(f"/products/{team.product.pk}/workshops/new/", data)
    assert response.status_code == 400
    assert shown(response.content.decode()) is visible


@pytest.mark.parametrize("dots", ["abc", "0", "99", "²"])
def test_it_ignores_what_the_hidden_dots_box_holds_for_other_methods(
    team,
    goals,
    browser_client,
    dots,
):
    _, user_goal, _ = goals
    data = plan_data(parent_goal=user_goal.pk, facilitator=team.leader.pk, dots_per_voter=dots)
    response = browser_client(team.leader).post(f"/products/{team.product.pk}/workshops/new/", data)
    assert response.status_code == 302, response.content.decode()
    workshop = Workshop.objects.get()
    assert (workshop.voting_method, workshop.dots_per_voter) == ("consent", 3)


def test_dot_voting_still_checks_the_dots(team, goals, browser_client):
    _, user_goal, _ = goals
    data = plan_data(
        parent_goal=user_goal.pk,
        facilitator=team.leader.pk,
        voting_method="dot",
        decision_rule="majority",
        dots_per_voter="99",
    )
    response = browser_client(team.leader).post(f"/products/{team.product.pk}/workshops/new/", data)
    assert response.status_code == 400
    assert "Give each voter between 1 and 20 dots." in response.content.decode()
    assert shown(response.content.decode())


@pytest.mark.parametrize(
    ("method", "visible"), [(VotingMethod.DOT, True), (VotingMethod.CONSENT, False)]
)
def test_the_edit_form_shows_the_dots_for_dot_voting_only(team, browser_client, method, visible):
    room = make_room(team, method=method, rule="majority")
    html = browser_client(team.leader).get(f"/workshops/{room.workshop.pk}/edit/")
    assert shown(html.content.decode()) is visible


def test_a_started_dot_workshop_still_shows_its_fixed_dots(team, browser_client):
    room = make_room(team, method=VotingMethod.DOT, rule="majority", dots_per_voter=5)
    room.to("drafting")
    client = browser_client(team.leader)
    html = client.get(f"/workshops/{room.workshop.pk}/edit/").content.decode()
    assert shown(html)
    assert re.search(r'name="dots_per_voter" value="5"[^>]*disabled', html)
    # The fixed method is not posted: sent back with an error, the dots still show.
    data = {"title": "", "facilitator": team.leader.pk, "version": room.workshop.version}
    again = client.post(f"/workshops/{room.workshop.pk}/edit/", data)
    assert again.status_code == 400
    assert shown(again.content.decode())


def test_editing_a_consent_workshop_keeps_its_dots_whatever_the_box_holds(team, browser_client):
    room = make_room(team)
    data = {
        **plan_data(facilitator=team.leader.pk, dots_per_voter="abc", title="Moved"),
        "version": room.workshop.version,
    }
    response = browser_client(team.leader).post(f"/workshops/{room.workshop.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()
    room.workshop.refresh_from_db()
    assert (room.workshop.title, room.workshop.dots_per_voter) == ("Moved", 3)
