"""Editing, rescheduling and cancelling a workshop, and listing one that was not held."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from goals.errors import Conflict, DomainError
from goals.models import Goal, Level, ProductRole, Status
from tests.factories import UserFactory, add_member
from tests.workshops.conftest import make_room
from workshops.models import Participant, Phase, PhaseChange, VotingMethod, Workshop
from workshops.selectors import results
from workshops.services.decisions import workshop_decide
from workshops.services.setup import workshop_cancel, workshop_create, workshop_update
from workshops.tasks import send_workshop_cancellation

pytestmark = pytest.mark.django_db


def url(room, suffix=""):
    return f"/api/workshops/{room.workshop.pk}/{suffix}"


def edit(room, version=None, **data):
    return workshop_update(
        actor=room.facilitator,
        workshop=room.workshop,
        data=data,
        version=room.workshop.version if version is None else version,
    )


# Editing -------------------------------------------------------------------------------------


def test_it_edits_the_set_up_before_the_decision(room, team):
    room.to("drafting")
    later = timezone.now() + timedelta(days=3)
    workshop = edit(
        room,
        title="Roadmapping Q2",
        scheduled_at=later,
        agenda="New agenda",
        ground_rules="One voice at a time",
        facilitator=team.member,
        timeboxes={"drafting": 30},
    )
    workshop.refresh_from_db()
    assert (workshop.title, workshop.scheduled_at, workshop.facilitator) == (
        "Roadmapping Q2",
        later,
        team.member,
    )
    assert (workshop.agenda, workshop.ground_rules, workshop.timeboxes) == (
        "New agenda",
        "One voice at a time",
        {"drafting": 30},
    )
    assert workshop.version == room.workshop.version + 1
    assert workshop.events.filter(kind="workshop").exists()


def test_it_changes_how_the_room_votes_only_while_planned(room):
    workshop = edit(room, voting_method=VotingMethod.SCORE, dots_per_voter=5, anonymous=True)
    assert (workshop.voting_method, workshop.dots_per_voter, workshop.anonymous) == (
        "score",
        5,
        True,
    )
    room.workshop = workshop
    room.to("drafting")
    with pytest.raises(Conflict) as error:
        edit(room, voting_method=VotingMethod.CONSENT, decision_rule="majority")
    assert "only change while the workshop is planned" in error.value.errors["voting_method"][0]
    # The same values again are no change, as a full form posts them.
    assert edit(room, voting_method="score", title="Kept").title == "Kept"


def test_it_requires_the_version_and_refuses_a_stale_one(room):
    with pytest.raises(DomainError) as missing:
        workshop_update(
            actor=room.facilitator, workshop=room.workshop, data={"title": "X"}, version=None
        )
    assert "version" in missing.value.errors
    edit(room, title="First")
    with pytest.raises(Conflict) as stale:
        edit(room, version=room.workshop.version, title="Second")
    assert "version" in stale.value.errors
    assert Workshop.objects.get().title == "First"


def test_it_checks_an_edit_by_the_planning_rules(room, team):
    with pytest.raises(DomainError) as error:
        edit(
            room,
            title=" ",
            voting_method="dot",
            decision_rule="consent",
            facilitator=team.stakeholder,
        )
    assert set(error.value.errors) == {"title", "decision_rule", "facilitator"}
    assert Workshop.objects.get().title == "Roadmapping Q1"


def test_it_refuses_edits_after_the_decision(room):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to("revealed")
    workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    room.workshop.refresh_from_db()
    with pytest.raises(Conflict) as error:
        edit(room, title="Too late")
    assert "can no longer be edited" in error.value.errors["non_field_errors"][0]


def test_the_api_edits_a_workshop_with_its_version(room, team, api):
    lead = api(team.leader)
    assert lead.get(url(room)).json()["not_held"] is False
    missing = lead.patch(url(room), {"title": "No version"})
    assert missing.status_code == 400
    assert "version" in missing.json()
    saved = lead.patch(url(room), {"title": "Strategy day", "version": room.workshop.version})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["title"] == "Strategy day"
    stale = lead.patch(url(room), {"title": "Lost", "version": room.workshop.version})
    assert stale.status_code == 409
    version = saved.json()["version"]
    refused = lead.patch(
        url(room), {"decision_rule": "consent", "voting_method": "dot", "version": version}
    )
    assert refused.status_code == 400
    assert "Dot voting" in refused.json()["decision_rule"][0]
    voter = api(room.voters[0]).patch(url(room), {"title": "Mine", "version": version})
    assert voter.status_code == 403
    assert Workshop.objects.get().title == "Strategy day"


def test_the_api_refuses_changing_the_method_once_started(room, team, api):
    room.to("drafting")
    response = api(team.leader).patch(
        url(room), {"anonymous": True, "version": room.workshop.version}
    )
    assert response.status_code == 409
    assert "anonymity" in response.json()["anonymous"][0]


def test_the_edit_page_reschedules_a_workshop(room, team, browser_client):
    client = browser_client(team.leader)
    page = client.get(f"/workshops/{room.workshop.pk}/edit/")
    assert page.status_code == 200
    assert "Edit workshop" in page.content.decode()
    data = {
        "title": "Roadmapping, moved",
        "facilitator": team.leader.pk,
        "scheduled_at": "2027-01-15T09:30",
        "agenda": "",
        "ground_rules": "",
        "voting_method": "consent",
        "decision_rule": "consent",
        "dots_per_voter": "3",
        "timeboxes_drafting": "",
        "timeboxes_voting": "",
        "timeboxes_revealed": "",
        "version": room.workshop.version,
    }
    response = client.post(f"/workshops/{room.workshop.pk}/edit/", data)
    assert response.status_code == 302
    workshop = Workshop.objects.get()
    assert workshop.title == "Roadmapping, moved"
    assert workshop.scheduled_at.isoformat().startswith("2027-01-15T09:30")
    stale = client.post(f"/workshops/{room.workshop.pk}/edit/", {**data, "title": "Older"})
    assert stale.status_code == 400
    assert "Someone else saved this" in stale.content.decode()
    assert (
        browser_client(room.voters[0]).get(f"/workshops/{room.workshop.pk}/edit/").status_code
        == 403
    )


def test_the_edit_page_keeps_how_the_room_votes_once_started(room, team, browser_client):
    room.to("drafting")
    html = browser_client(team.leader).get(f"/workshops/{room.workshop.pk}/edit/").content.decode()
    assert "stay as they were when the room started" in html
    assert re.search(
        r'<input type="radio" name="voting_method" value="consent"[^>]* disabled', html
    )
    assert '<select name="decision_rule" disabled' in html
    assert re.search(r'<input type="text" name="title"[^>]*>', html).group(0).count("disabled") == 0


# Cancelling ----------------------------------------------------------------------------------


def test_it_cancels_a_workshop_with_a_reason_for_good(room, team):
    room.to("drafting")
    with pytest.raises(DomainError) as no_reason:
        workshop_cancel(actor=team.leader, workshop=room.workshop, reason="  ")
    assert "reason" in no_reason.value.errors
    workshop = workshop_cancel(
        actor=team.leader, workshop=room.workshop, reason="The offsite moved"
    )
    workshop.refresh_from_db()
    assert (workshop.phase, workshop.cancel_reason, workshop.cancelled_by) == (
        Phase.CANCELLED,
        "The offsite moved",
        team.leader,
    )
    assert workshop.cancelled_at is not None and workshop.cancelled_in == Phase.DRAFTING
    assert PhaseChange.objects.filter(to_phase=Phase.CANCELLED, by=team.leader).exists()
    room.workshop = workshop
    for phase in ("voting", "drafting", "closed"):
        with pytest.raises(Conflict):
            room.to(phase)
    with pytest.raises(Conflict):
        workshop_cancel(actor=team.leader, workshop=workshop, reason="Again")
    with pytest.raises(Conflict):
        edit(room, title="Back on")


def test_it_keeps_votes_hidden_when_cancelled_before_the_reveal(room, team):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "object", "secret reason")
    workshop = workshop_cancel(actor=team.leader, workshop=room.workshop, reason="Off")
    assert not workshop.is_revealed

    assert results(workshop)["proposals"] == []


def test_it_refuses_to_cancel_a_decided_workshop(room, team):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "agree")
    room.to("revealed")
    workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    with pytest.raises(Conflict):
        workshop_cancel(actor=team.leader, workshop=room.workshop, reason="Late")


def test_the_phase_api_refuses_moving_a_cancelled_workshop(room, team, api):
    lead = api(team.leader)
    assert lead.post(url(room, "cancel/"), {}).status_code == 400
    response = lead.post(url(room, "cancel/"), {"reason": "Nobody could come"})
    assert response.status_code == 200
    assert (response.json()["phase"], response.json()["cancel_reason"]) == (
        "cancelled",
        "Nobody could come",
    )
    assert lead.post(url(room, "phase/"), {"phase": "drafting"}).status_code == 409
    assert lead.post(url(room, "cancel/"), {"reason": "Twice"}).status_code == 409
    assert api(room.voters[0]).post(url(room, "cancel/"), {"reason": "Me"}).status_code == 403


def test_participants_get_one_email_when_the_job_runs_twice(
    room, team, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workshop_cancel(actor=team.leader, workshop=room.workshop, reason="Moved")
    send_workshop_cancellation(room.workshop.pk)
    seats = Participant.objects.filter(workshop=room.workshop).select_related("user")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(s.user.email for s in seats)
    assert "Moved" in mailoutbox[0].body and "cancelled" in mailoutbox[0].subject.lower()
    assert all(s.cancellation_sent_at is not None for s in seats)


def test_the_cancel_page_needs_a_reason(room, team, browser_client):
    client = browser_client(team.leader)
    assert (
        "Cancel workshop" in client.get(f"/workshops/{room.workshop.pk}/cancel/").content.decode()
    )
    empty = client.post(f"/workshops/{room.workshop.pk}/cancel/", {"reason": ""})
    assert empty.status_code == 400
    assert "Say why the workshop is cancelled" in empty.content.decode()
    done = client.post(f"/workshops/{room.workshop.pk}/cancel/", {"reason": "Offsite moved"})
    assert done.status_code == 302
    room_html = client.get(done["Location"]).content.decode()
    assert "This workshop was cancelled by Lea Leader: Offsite moved" in room_html
    assert "Edit workshop" not in room_html


# Not held ------------------------------------------------------------------------------------


def test_a_planned_workshop_a_day_past_its_time_is_listed_as_not_held(
    room, team, api, browser_client
):
    Workshop.objects.filter(pk=room.workshop.pk).update(
        scheduled_at=timezone.now() - timedelta(days=1, hours=1)
    )
    soon = make_room_on_same_chain(room, team, timezone.now() - timedelta(hours=2))
    listed = {
        w["id"]: w["not_held"] for w in api(team.leader).get("/api/workshops/").json()["results"]
    }
    assert listed == {room.workshop.pk: True, soon.pk: False}
    html = (
        browser_client(team.leader).get(f"/products/{team.product.pk}/workshops/").content.decode()
    )
    not_held, upcoming = html.split('id="not-held-title"')[1].split('id="upcoming-title"')
    assert "Roadmapping Q1" in not_held and "Roadmapping Q1" not in upcoming
    assert "Later one" in upcoming
    assert f'href="/workshops/{room.workshop.pk}/edit/">Reschedule' in not_held
    assert f'href="/workshops/{room.workshop.pk}/cancel/">Cancel' in not_held
    voter_html = browser_client(room.voters[0]).get(f"/products/{team.product.pk}/workshops/")
    assert "Reschedule" not in voter_html.content.decode()


def make_room_on_same_chain(room, team, when):
    return workshop_create(
        actor=team.leader,
        product=team.product,
        title="Later one",
        target_level=Level.PRODUCT,
        parent_goal=room.parent,
        facilitator=team.leader,
        scheduled_at=when,
    )


@pytest.mark.parametrize("size", [1, 25])
def test_the_lists_read_a_fixed_number_of_queries_with_not_held_and_cancelled(
    team, api, browser_client, django_assert_num_queries, size
):
    room = make_room(team)
    past = timezone.now() - timedelta(days=3)
    Workshop.objects.bulk_create(
        Workshop(
            product=team.product,
            title=f"W{i}",
            target_level=Level.PRODUCT,
            parent_goal=room.parent,
            facilitator=team.leader,
            decision_rule="consent",
            scheduled_at=past,
            phase=["planned", "cancelled"][i % 2],
            cancelled_in="planned" if i % 2 else "",
            cancel_reason="Moved" if i % 2 else "",
            cancelled_by=team.leader if i % 2 else None,
        )
        for i in range(size)
    )
    client = browser_client(team.leader)
    # 1 session, 2 user, 3 the product with my roles, 4 the workshops I may enter (with who
    # cancelled them), 5 their adopting decisions with the goals.
    with django_assert_num_queries(5):
        response = client.get(f"/products/{team.product.pk}/workshops/")
    assert response.content.decode().count('class="workshop-row ') == size + 1
    lead = api(team.leader)
    # 1 token, 2 count, 3 the page of workshops, 4 their decisions.
    with django_assert_num_queries(4):
        listed = lead.get("/api/workshops/")
    assert listed.json()["count"] == size + 1
    assert Goal.objects.filter(status=Status.AGREED).count() == 2


def test_the_room_offers_edit_and_cancel_to_those_who_run_it(room, team, browser_client):
    path = f"/workshops/{room.workshop.pk}/"
    leader = browser_client(team.leader).get(path).content.decode()
    assert f'href="/workshops/{room.workshop.pk}/edit/">Edit workshop' in leader
    assert f'href="/workshops/{room.workshop.pk}/cancel/">Cancel workshop' in leader
    voter = browser_client(room.voters[0]).get(path).content.decode()
    assert "Edit workshop" not in voter and "Cancel workshop" not in voter
    assert browser_client(room.voters[0]).get(f"{path}cancel/").status_code == 403


@pytest.mark.parametrize("size", [1, 25])
def test_the_edit_and_cancel_pages_read_a_fixed_number_of_queries(
    room, team, browser_client, django_assert_num_queries, size
):
    for person in UserFactory.create_batch(size):
        add_member(team.product, person, ProductRole.TEAM)
    client = browser_client(team.leader)
    # 1 session, 2 user, 3 the workshop with my roles, 4 product members (facilitators).
    with django_assert_num_queries(4):
        response = client.get(f"/workshops/{room.workshop.pk}/edit/")
    assert response.content.decode().count("@example") >= size
    # 1 session, 2 user, 3 the workshop with my roles.
    with django_assert_num_queries(3):
        client.get(f"/workshops/{room.workshop.pk}/cancel/")
