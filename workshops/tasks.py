"""Celery tasks of the workshops app."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from goals.emails import send_templated_email
from workshops.models import Participant


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_workshop_invitation(participant_id: int) -> None:
    seat = (
        Participant.objects.select_related("workshop__product", "workshop__facilitator", "user")
        .filter(pk=participant_id)
        .first()
    )
    if seat is None:
        return
    send_templated_email(
        to=seat.user.email,
        template="workshop_invitation",
        context={
            "seat": seat,
            "workshop": seat.workshop,
            "path": reverse("workshop-room", args=[seat.workshop_id]),
        },
    )
