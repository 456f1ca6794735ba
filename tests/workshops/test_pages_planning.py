"""Planning workshops: the product's list, the plan-a-workshop form and who takes part."""

from __future__ import annotations

import re

import pytest

from goals.models import Level, ProductRole
from tests.factories import UserFactory, add_member
from tests.workshops.conftest import Room
from tests.workshops.conftest import make_room as make_first_room
from workshops.models import DecisionRule, Participant, Workshop
from workshops.services.decisions import workshop_decide
from workshops.services.setup import workshop_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def html_of(response) -> str:
    return response.content.decode()


# The product's workshops -------------------------------------------------------------------


def make_room(team, parent=None):
    """A room as in tests/workshops/conftest.py; with `parent`, a second one beside it."""
    if parent is None:
        return make_first_room(team)
    workshop = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Last quarter",
        target_level=Level.PRODUCT,
        parent_goal=parent.parent,
        facilitator=team.leader,
    )
    room = Room(workshop, team.leader, parent.voters, team.stakeholder, parent.parent)
    for voter in room.voters:
        room.seat(voter)
    return room


def test_it_lists_upcoming_running_and_past_workshops_with_their_outcomes(team, browser_client):
    running = make_room(team)
    running.to("drafting")
    upcoming = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Strategy day",
        target_level=Level.USER,
        parent_goal=running.parent.parents.get(),
        facilitator=team.leader,
    )
    past = make_room(team, parent=running)
    past.to("drafting")
    adopted = past.propose(title="Adopted idea")
    past.propose(title="Dropped idea")
    past.to("voting")
    for voter in past.voters:
        past.vote(voter, adopted, "agree")
    past.to("revealed")
    decision = workshop_decide(actor=team.leader, workshop=past.workshop, proposal=adopted)
    past.workshop.refresh_from_db()
    past.to("closed")

    html = html_of(browser_client(team.leader).get(f"/products/{team.product.pk}/workshops/"))
    running_part = html[html.index('id="running-title"') : html.index('id="upcoming-title"')]
    upcoming_part = html[html.index('id="upcoming-title"') : html.index('id="past-title"')]
    past_part = html[html.index('id="past-title"') :]
    assert "Roadmapping Q1" in running_part and "No decision yet." in running_part
    assert "Strategy day" in upcoming_part
    assert "Last quarter" in past_part
    assert f'<a href="/goals/{decision.goal_id}/">Adopted idea</a>' in past_part
    assert "Dropped idea" not in past_part
    assert f'href="/workshops/{upcoming.pk}/"' in upcoming_part
    assert f'href="/products/{team.product.pk}/workshops/new/"' in html
    assert re.search(r'href="/products/\d+/workshops/" aria-current="page">Workshops', html)


def test_it_lists_only_the_workshops_a_member_may_enter(team, browser_client):
    room = make_room(team)
    outsider_member = add_member(team.product, UserFactory(display_name="Nia New"))
    html = html_of(browser_client(outsider_member).get(f"/products/{team.product.pk}/workshops/"))
    assert "Roadmapping Q1" not in html
    assert "Plan a workshop" not in html
    html = html_of(browser_client(room.voters[0]).get(f"/products/{team.product.pk}/workshops/"))
    assert "Roadmapping Q1" in html


def test_the_list_is_not_found_for_other_organisations(team, browser_client):
    response = browser_client(team.outsider).get(f"/products/{team.product.pk}/workshops/")
    assert response.status_code == 404


# Planning a workshop -----------------------------------------------------------------------


def plan_data(**fields) -> dict:
    data = {
        "title": "Roadmapping",
        "target_level": "product",
        "parent_goal": "",
        "facilitator": "",
        "scheduled_at": "2026-12-01T10:00",
        "agenda": "",
        "ground_rules": "",
        "voting_method": "consent",
        "decision_rule": "consent",
        "dots_per_voter": "3",
        "timeboxes_drafting": "20",
        "timeboxes_voting": "10",
        "timeboxes_revealed": "",
    }
    data.update(fields)
    return data


def test_only_leaders_plan_workshops(team, goals, browser_client):
    for person in (team.member, team.stakeholder):
        client = browser_client(person)
        assert client.get(f"/products/{team.product.pk}/workshops/new/").status_code == 403
    response = browser_client(team.leader).get(f"/products/{team.product.pk}/workshops/new/")
    assert response.status_code == 200


def test_it_offers_goals_one_level_up_and_the_levels_default_rule(team, goals, browser_client):
    vision, user_goal, product_goal = goals
    client = browser_client(team.leader)
    html = html_of(client.get(f"/products/{team.product.pk}/workshops/new/"))
    assert f'<option value="{user_goal.pk}">Eat well (user goal)</option>' in html
    assert f'<option value="{product_goal.pk}"' not in html
    assert '<option value="consent" selected>Consent</option>' in html
    assert f'hx-get="/products/{team.product.pk}/workshops/new/"' in html

    part = html_of(
        client.get(f"/products/{team.product.pk}/workshops/new/?target_level=user", **HTMX)
    )
    assert part.lstrip().startswith('<div id="level-fields"')
    assert f'<option value="{vision.pk}">North star (product vision)</option>' in part
    assert f'<option value="{user_goal.pk}"' not in part
    assert "Unanimous — fixed for vision, user and business goals" in part
    assert '<input type="hidden" name="decision_rule" value="unanimous">' in part
    assert '<select name="decision_rule"' not in part


def test_it_plans_a_workshop_and_asks_who_takes_part(team, goals, browser_client):
    _, user_goal, _ = goals
    client = browser_client(team.leader)
    data = plan_data(
        parent_goal=user_goal.pk,
        facilitator=team.member.pk,
        voting_method="dot",
        decision_rule="majority",
        dots_per_voter="5",
        anonymous="on",
    )
    response = client.post(f"/products/{team.product.pk}/workshops/new/", data)
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workshops/{workshop.pk}/participants/"
    assert (workshop.facilitator, workshop.parent_goal, workshop.voting_method) == (
        team.member,
        user_goal,
        "dot",
    )
    assert (workshop.dots_per_voter, workshop.anonymous) == (5, True)
    assert workshop.timeboxes == {"drafting": 20, "voting": 10}
    assert workshop.decision_rule == DecisionRule.MAJORITY
    assert workshop.scheduled_at.isoformat().startswith("2026-12-01T10:00")


def test_it_shows_errors_under_their_fields_and_keeps_the_input(team, goals, browser_client):
    client = browser_client(team.leader)
    data = plan_data(title="", facilitator=team.leader.pk, timeboxes_voting="900")
    response = client.post(f"/products/{team.product.pk}/workshops/new/", data)
    html = html_of(response)
    assert response.status_code == 400
    assert not Workshop.objects.exists()
    assert re.search(r'aria-invalid="true"[^>]*id="id_title"', html)
    assert '<ul class="errorlist" id="id_title_error"><li>Give the workshop a title.' in html
    assert 'id="id_parent_goal_error"' in html
    assert "Choose the user goal or business goal the adopted goal will serve." in html
    assert 'id="id_timeboxes_error"' in html
    assert re.search(r'<fieldset aria-describedby="[^"]*id_timeboxes_error', html)
    assert 'value="900"' in html


def test_the_facilitator_is_a_leader_or_team_member(team, goals, browser_client):
    html = html_of(browser_client(team.leader).get(f"/products/{team.product.pk}/workshops/new/"))
    facilitators = html[
        html.index('name="facilitator"') : html.index("</select>", html.index('name="facilitator"'))
    ]
    assert team.member.name in facilitators and team.leader.name in facilitators
    assert team.stakeholder.name not in facilitators
    assert f'value="{team.leader.pk}" selected' in facilitators


# Who takes part ------------------------------------------------------------------------------


def test_it_seats_members_as_their_role_suggests(
    team, browser_client, mailoutbox, django_capture_on_commit_callbacks
):
    room = make_room(team)
    newcomer = add_member(team.product, UserFactory(display_name="Nia New"), ProductRole.TEAM)
    viewer = add_member(
        team.product, UserFactory(display_name="Sid Sponsor"), ProductRole.STAKEHOLDER
    )
    client = browser_client(team.leader)
    url = f"/workshops/{room.workshop.pk}/participants/"
    html = html_of(client.get(url))
    assert "Nia New (team member)" in html and "Sid Sponsor (stakeholder)" in html
    assert f'value="{room.voters[0].pk}"' not in html  # already seated
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"members": [newcomer.pk, viewer.pk], "role": ""})
    assert response.status_code == 302
    seats = {p.user: p.can_vote for p in Participant.objects.filter(workshop=room.workshop)}
    assert seats[newcomer] is True and seats[viewer] is False
    assert sorted(m.to[0] for m in mailoutbox) == sorted([newcomer.email, viewer.email])


def test_a_stakeholder_votes_only_when_invited_as_a_voter(team, browser_client):
    room = make_room(team)
    viewer = add_member(team.product, UserFactory(), ProductRole.STAKEHOLDER)
    client = browser_client(team.leader)
    client.post(
        f"/workshops/{room.workshop.pk}/participants/", {"members": [viewer.pk], "role": "voter"}
    )
    assert Participant.objects.get(workshop=room.workshop, user=viewer).can_vote is True


def test_choosing_nobody_is_an_error_on_the_list(team, browser_client):
    room = make_room(team)
    add_member(team.product, UserFactory(), ProductRole.TEAM)
    response = browser_client(team.leader).post(
        f"/workshops/{room.workshop.pk}/participants/", {"role": "voter"}
    )
    html = html_of(response)
    assert response.status_code == 400
    assert 'id="id_members_error"' in html and "Choose at least one person." in html


def test_it_removes_a_participant(team, browser_client):
    room = make_room(team)
    seat = Participant.objects.get(workshop=room.workshop, user=room.voters[2])
    client = browser_client(team.leader)
    response = client.post(f"/workshops/{room.workshop.pk}/participants/{seat.pk}/remove/")
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=seat.pk).exists()
    client = browser_client(room.voters[2])
    assert client.get(f"/workshops/{room.workshop.pk}/").status_code == 404


def test_only_the_facilitator_or_a_leader_manages_participants(team, browser_client):
    room = make_room(team)
    seat = Participant.objects.get(workshop=room.workshop, user=room.voters[2])
    client = browser_client(room.voters[0])
    assert client.get(f"/workshops/{room.workshop.pk}/participants/").status_code == 403
    url = f"/workshops/{room.workshop.pk}/participants/{seat.pk}/remove/"
    assert client.post(url).status_code == 403
    assert Participant.objects.filter(pk=seat.pk).exists()
