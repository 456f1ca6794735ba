"""Celery tasks of the workshops app: thin, given ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from goals.emails import send_templated_email
from workshops.models import Participant


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_workshop_invitation(participant_id: int) -> None:
    """Send the invitation once: the seat is claimed, mailed and marked in one transaction."""
    with transaction.atomic():
        seat = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("workshop__product", "workshop__facilitator", "user")
            .filter(pk=participant_id, sent_at__isnull=True)
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
        seat.sent_at = timezone.now()
        seat.save(update_fields=["sent_at"])
