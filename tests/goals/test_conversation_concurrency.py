"""Jobs running at the same moment still send each reminder, digest and summary once
(PostgreSQL: SQLite runs one writer at a time anyway)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from goals.models import EmailFrequency, Notification, User
from goals.services.comments import comment_create
from goals.services.feedback import (
    email_feedback_summary,
    feedback_close_due,
    feedback_remind_due,
    feedback_round_open,
)
from goals.services.notifications import send_digest
from tests.conftest import skip_or_fail

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 6


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")


def in_parallel(job) -> None:
    def run(_: int) -> None:
        try:
            job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=RUNS) as pool:
        list(pool.map(run, range(RUNS)))


def test_parallel_digest_jobs_send_one_digest(postgres, team, goal, mailoutbox):
    User.objects.filter(pk=team.member.pk).update(email_notifications=EmailFrequency.DAILY)
    comment_create(actor=team.stakeholder, goal=goal, body="@Tom Team a")
    comment_create(actor=team.stakeholder, goal=goal, body="b")
    in_parallel(lambda: send_digest(user_id=team.member.pk, day=date.today()))
    assert len(mail.outbox) == 1


def test_parallel_feedback_jobs_remind_and_summarise_once(postgres, team, goal, mailoutbox):
    monday = date(2026, 3, 2)
    utc = ZoneInfo("UTC")
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=utc), tick=False):
        feedback_round = feedback_round_open(
            actor=team.leader,
            goal=goal,
            people=[team.member, team.stakeholder],
            deadline=monday + timedelta(days=4),
        )
    with time_machine.travel(datetime(2026, 3, 4, 8, 30, tzinfo=utc), tick=False):
        in_parallel(feedback_remind_due)
    assert Notification.objects.filter(kind="feedback_reminder").count() == 2
    with time_machine.travel(datetime(2026, 3, 7, 0, 30, tzinfo=utc), tick=False):
        in_parallel(feedback_close_due)
        in_parallel(lambda: email_feedback_summary(feedback_round_id=feedback_round.pk))
    assert Notification.objects.filter(kind="feedback_summary").count() == 1
    assert [m.to for m in mail.outbox].count([team.leader.email]) == 1
