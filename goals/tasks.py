"""Celery tasks of the goals app: thin, given ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from goals.emails import send_templated_email
from goals.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_invitation_email(invitation_id: int) -> None:
    """Send the invitation once: the row is claimed, mailed and marked in one transaction."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(pk=invitation_id, accepted_at__isnull=True, sent_at__isnull=True)
            .first()
        )
        if invitation is None:
            return
        send_templated_email(
            to=invitation.email,
            template="invitation",
            context={
                "invitation": invitation,
                "path": reverse("invitation-accept", args=[invitation.token]),
            },
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
