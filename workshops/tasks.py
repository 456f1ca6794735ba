"""Celery tasks of the workshops app: thin, given ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from workshops.services import setup


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_workshop_invitation(participant_id: int) -> None:
    setup.workshop_invitation_send(participant_id=participant_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=6)
def send_workshop_cancellation(workshop_id: int) -> None:
    setup.workshop_cancellation_send(workshop_id=workshop_id)
