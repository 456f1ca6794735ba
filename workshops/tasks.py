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
    """Send the invitation once."""
    _mail_seat_once(participant_id, template="workshop_invitation", mark="sent_at")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_workshop_cancellation(workshop_id: int) -> None:
    """Tell each participant once that the workshop is off; a rerun mails only those not told
    yet."""
    seat_ids = Participant.objects.filter(
        workshop_id=workshop_id, cancellation_sent_at__isnull=True
    ).values_list("pk", flat=True)
    for seat_id in list(seat_ids):
        _mail_seat_once(seat_id, template="workshop_cancelled", mark="cancellation_sent_at")


def _mail_seat_once(seat_id: int, *, template: str, mark: str) -> None:
    """Claim the seat, mail its person and set `mark` in one transaction: a job that runs
    again finds the mark set and sends nothing."""
    with transaction.atomic():
        seat = (
            Participant.objects.select_for_update(of=("self",))
            .select_related(
                "workshop__product", "workshop__facilitator", "workshop__cancelled_by", "user"
            )
            .filter(pk=seat_id, **{f"{mark}__isnull": True})
            .first()
        )
        if seat is None:
            return
        send_templated_email(
            to=seat.user.email,
            template=template,
            context={
                "seat": seat,
                "workshop": seat.workshop,
                "path": reverse("workshop-room", args=[seat.workshop_id]),
            },
        )
        setattr(seat, mark, timezone.now())
        seat.save(update_fields=[mark])
