"""Workshop invitations: queued after commit, sent once even when the job runs twice."""

from __future__ import annotations

import pytest
from django.db import transaction

from goals.models import ProductRole
from tests.factories import UserFactory, add_member
from tests.workshops.conftest import make_room
from workshops.models import Participant
from workshops.services.setup import participant_add
from workshops.tasks import send_workshop_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(team):
    return add_member(team.product, UserFactory(display_name="Nia New"), ProductRole.TEAM)


def test_it_sends_an_invitation_once_when_its_job_runs_twice(
    team, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    room = make_room(team)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seat = participant_add(actor=team.leader, workshop=room.workshop, user=newcomer)
    send_workshop_invitation(seat.pk)
    send_workshop_invitation(seat.pk)
    assert [m.to for m in mailoutbox] == [[newcomer.email]]
    assert f"/workshops/{room.workshop.pk}/" in mailoutbox[0].body
    seat.refresh_from_db()
    assert seat.sent_at is not None


def test_it_queues_the_invitation_only_once_the_seat_is_committed(
    team, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    room = make_room(team)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks() as queued:
        participant_add(actor=team.leader, workshop=room.workshop, user=newcomer)
    assert mailoutbox == []
    for callback in queued:
        callback()
    assert [m.to for m in mailoutbox] == [[newcomer.email]]
    with (
        django_capture_on_commit_callbacks() as rolled_back,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        participant_add(actor=team.leader, workshop=room.workshop, user=add_member(team.product))
        raise RuntimeError("the request failed after seating")
    assert rolled_back == []


def test_a_seat_taken_out_before_its_job_runs_gets_no_email(team, newcomer, mailoutbox):
    room = make_room(team)
    mailoutbox.clear()
    seat = participant_add(actor=team.leader, workshop=room.workshop, user=newcomer)
    Participant.objects.filter(pk=seat.pk).delete()
    send_workshop_invitation(seat.pk)
    assert mailoutbox == []
