"""Reminders before reviews, overdue notices to leaders, weekly summaries and sprint verdict
prompts: sent at the organisation's hour, by preference, exactly once, retried on failure."""

from __future__ import annotations

import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.schedules import crontab
from django.db import connection, connections
from django.db.models import Q

from goalchain.celery import app
from goals import tasks
from goals.models import (
    CheckIn,
    EmailFrequency,
    Goal,
    Level,
    Notification,
    ProductMembership,
    ProductRole,
    ReminderKind,
    ReminderSent,
    ReviewSchedule,
    SprintVerdict,
    Status,
)
from goals.selectors.reminders import Due, due_goal_reminders, due_weekly_summaries
from goals.services import reminders
from goals.services.reminders import SendFailed, send, send_due_reminders, send_due_weekly_summaries
from tests.conftest import skip_or_fail
from tests.factories import KeyResultFactory, make_goal

REVIEW_ON = date(2026, 3, 12)  # a Thursday; reminders two days before, at 09:00 in Berlin
BEFORE_THE_HOUR = datetime(2026, 3, 10, 7, 59, tzinfo=UTC)  # 08:59 in Berlin (UTC+1)
AT_THE_HOUR = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
DAY_AFTER_REVIEW = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)


@pytest.fixture
def loop(team):
    """A product in Berlin with an agreed product goal owned by the member, whose key
    result the leader owns."""
    org = team.product.organization
    org.time_zone = "Europe/Berlin"
    org.save()
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    user_goal = make_goal(team.product, Level.USER, vision, status=Status.AGREED)
    goal = make_goal(
        team.product, Level.PRODUCT, user_goal, status=Status.AGREED,
        owner=team.member, title="Fridge planner", next_review_on=REVIEW_ON,
    )  # fmt: skip
    KeyResultFactory(goal=goal, owner=team.leader)
    KeyResultFactory(goal=goal, owner=team.member)
    return goal


def due_kinds(now) -> set[tuple[str, int]]:
    return {(d.kind, d.recipient_id) for d in due_goal_reminders(now=now)}


def sent_to(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def test_nothing_is_due_before_the_local_reminder_hour(team, loop):
    assert due_kinds(BEFORE_THE_HOUR) == set()


def test_owners_are_reminded_at_the_local_hour_before_the_review(team, loop):
    assert due_kinds(AT_THE_HOUR) == {
        (ReminderKind.REVIEW_DUE, team.member.pk),
        (ReminderKind.REVIEW_DUE, team.leader.pk),
    }


def test_the_reminder_email_names_the_goal_and_links_to_its_check_in_page(
    team, loop, mailoutbox, settings
):
    settings.SITE_URL = "https://goals.example.com"

    assert send_due_reminders(now=AT_THE_HOUR) == 2

    assert sent_to(mailoutbox) == sorted([team.member.email, team.leader.email])
    message = next(m for m in mailoutbox if m.to == [team.member.email])
    link = f"https://goals.example.com/goals/{loop.pk}/check-in/"
    assert "Fridge planner" in message.subject
    assert "review due in 2 days" in message.subject
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Fridge planner" in html
    assert message.extra_headers["Message-ID"].startswith(f"<review_due.goal-{loop.pk}.20260312.")


def test_running_the_job_twice_sends_each_reminder_once(team, loop, mailoutbox):
    with time_machine.travel(AT_THE_HOUR, tick=False):
        tasks.send_review_reminders.delay()
        tasks.send_review_reminders.delay()

    assert len(mailoutbox) == 2
    assert ReminderSent.objects.filter(goal=loop, kind=ReminderKind.REVIEW_DUE).count() == 2


def test_a_key_claimed_by_another_run_is_not_sent_again(team, loop, mailoutbox):
    due = Due(ReminderKind.REVIEW_DUE, team.product.pk, loop.pk, REVIEW_ON, team.member.pk)
    ReminderSent.objects.create(
        product=team.product, goal=loop, kind=due.kind, due_on=REVIEW_ON, recipient=team.member
    )

    assert send(due=due, now=AT_THE_HOUR) is False
    assert mailoutbox == []
    assert (ReminderKind.REVIEW_DUE, team.member.pk) not in due_kinds(AT_THE_HOUR)


def test_a_reminder_selected_before_a_check_in_is_not_sent_after_it(team, loop, mailoutbox):
    (due, *_) = due_goal_reminders(now=AT_THE_HOUR)
    Goal.objects.filter(pk=loop.pk).update(next_review_on=REVIEW_ON + timedelta(days=14))

    assert send(due=due, now=AT_THE_HOUR) is False
    assert mailoutbox == []
    assert not ReminderSent.objects.exists()


def test_a_reminder_missed_while_no_worker_ran_still_goes_before_the_review(team, loop):
    the_day_before = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    assert (ReminderKind.REVIEW_DUE, team.member.pk) in due_kinds(the_day_before)


def test_it_uses_the_organisations_hour_and_time_zone(team, loop):
    org = team.product.organization
    org.time_zone = "Asia/Tokyo"  # UTC+9: 09:00 on 10 March is 00:00 UTC
    org.save()
    ReviewSchedule.objects.create(product=team.product, remind_days_before=2, reminder_hour=9)

    assert due_kinds(datetime(2026, 3, 9, 23, 59, tzinfo=UTC)) == set()
    assert due_kinds(datetime(2026, 3, 10, 0, 0, tzinfo=UTC))


def test_the_reminder_hour_holds_on_the_day_clocks_go_forward(team, loop):
    # Review on 31 March, reminder on 29 March, when Berlin moves to summer time (UTC+2).
    Goal.objects.filter(pk=loop.pk).update(next_review_on=date(2026, 3, 31))

    assert due_kinds(datetime(2026, 3, 29, 6, 59, tzinfo=UTC)) == set()  # 08:59 CEST
    assert due_kinds(datetime(2026, 3, 29, 7, 0, tzinfo=UTC))  # 09:00 CEST


def test_the_reminder_follows_the_schedules_days_before(team, loop):
    ReviewSchedule.objects.create(product=team.product, remind_days_before=5)
    five_days_before = datetime(2026, 3, 7, 8, 0, tzinfo=UTC)
    assert due_kinds(five_days_before - timedelta(minutes=1)) == set()
    assert due_kinds(five_days_before)


def test_closed_and_draft_goals_get_no_reminders(team, loop):
    Goal.objects.filter(pk=loop.pk).update(status=Status.ACHIEVED)
    assert due_kinds(AT_THE_HOUR) == set()
    Goal.objects.filter(pk=loop.pk).update(status=Status.DRAFT)
    assert due_kinds(DAY_AFTER_REVIEW) == set()


def test_someone_who_left_the_product_is_not_reminded(team, loop):
    ProductMembership.objects.filter(product=team.product, user=team.leader).delete()
    assert due_kinds(AT_THE_HOUR) == {(ReminderKind.REVIEW_DUE, team.member.pk)}


# Escalation ---------------------------------------------------------------------------------


def test_an_overdue_review_goes_to_the_leaders_the_day_after(team, loop, mailoutbox):
    assert due_kinds(DAY_AFTER_REVIEW - timedelta(minutes=1)) == set()
    assert due_kinds(DAY_AFTER_REVIEW) == {(ReminderKind.REVIEW_OVERDUE, team.leader.pk)}

    send_due_reminders(now=DAY_AFTER_REVIEW)
    send_due_reminders(now=DAY_AFTER_REVIEW + timedelta(hours=5))

    assert sent_to(mailoutbox) == [team.leader.email]
    assert "Overdue" in mailoutbox[0].subject
    assert "review overdue by 1 day" in mailoutbox[0].body
    assert f"/goals/{loop.pk}/check-in/" in mailoutbox[0].body


def test_a_check_in_in_time_means_no_overdue_notice(team, loop, api):
    with time_machine.travel(datetime(2026, 3, 12, 10, tzinfo=UTC), tick=False):
        response = api(team.member).post(
            f"/api/goals/{loop.pk}/check-ins/",
            {
                "values": [{"key_result": kr.pk, "value": 20} for kr in loop.key_results.all()],
                "confidence": 4,
            },
            format="json",
        )
    assert response.status_code == 201
    assert due_kinds(DAY_AFTER_REVIEW) == set()


def test_without_product_leaders_the_organisations_admins_hear_of_overdue_reviews(team, loop):
    ProductMembership.objects.filter(product=team.product, role=ProductRole.LEADER).delete()
    assert due_kinds(DAY_AFTER_REVIEW) == {(ReminderKind.REVIEW_OVERDUE, team.org_admin.pk)}


def test_a_review_date_set_in_the_past_escalates_once(team, loop, mailoutbox):
    Goal.objects.filter(pk=loop.pk).update(next_review_on=date(2026, 1, 5))
    send_due_reminders(now=DAY_AFTER_REVIEW)
    send_due_reminders(now=DAY_AFTER_REVIEW + timedelta(days=3))
    assert sent_to(mailoutbox) == [team.leader.email]
    assert "overdue by 67 days" in mailoutbox[0].body


# Preferences ----------------------------------------------------------------------------


def test_everyone_finds_the_reminder_in_their_inbox_and_email_as_they_prefer(
    team, loop, mailoutbox
):
    team.leader.email_notifications = EmailFrequency.DAILY
    team.leader.save()

    send_due_reminders(now=AT_THE_HOUR)

    assert sent_to(mailoutbox) == [team.member.email]
    member_note = Notification.objects.get(recipient=team.member)
    leader_note = Notification.objects.get(recipient=team.leader)
    assert member_note.emailed_at is not None  # the reminder email carried it
    assert leader_note.emailed_at is None  # the daily digest will
    assert f"/goals/{loop.pk}/check-in/" == leader_note.url
    assert set(ReminderSent.objects.values_list("recipient_id", "emailed")) == {
        (team.member.pk, True),
        (team.leader.pk, False),
    }


def test_someone_who_turned_email_off_only_sees_the_inbox(team, loop, mailoutbox):
    for person in (team.member, team.leader):
        person.email_notifications = EmailFrequency.OFF
        person.save()

    send_due_reminders(now=AT_THE_HOUR)
    send_due_reminders(now=AT_THE_HOUR)

    assert mailoutbox == []
    assert Notification.objects.filter(goal=loop).count() == 2


# Failures and retries ---------------------------------------------------------------------


class FlakyMailer:
    """Fails the first `failures` sends with `error`, then sends for real."""

    def __init__(self, monkeypatch, error: Exception, failures: int = 1, only_to: str = ""):
        self.real = reminders.send_templated_email
        self.error, self.failures, self.only_to = error, failures, only_to
        self.calls = 0
        monkeypatch.setattr(reminders, "send_templated_email", self)

    def __call__(self, **kwargs):
        self.calls += 1
        if self.failures and (not self.only_to or kwargs["to"] == self.only_to):
            self.failures -= 1
            raise self.error
        return self.real(**kwargs)


@pytest.fixture
def retries_run_inline():
    """Eager tasks retry at once when the retry is not propagated as an error."""
    app.conf.task_eager_propagates = False


def test_the_job_retries_when_the_mail_server_fails(
    team, loop, mailoutbox, monkeypatch, retries_run_inline
):
    mailer = FlakyMailer(monkeypatch, smtplib.SMTPServerDisconnected("gone"))

    with time_machine.travel(AT_THE_HOUR, tick=False):
        tasks.send_review_reminders.delay()  # eager: the retry runs at once

    assert mailer.calls == 3  # one failure, then both reminders
    assert sent_to(mailoutbox) == sorted([team.member.email, team.leader.email])
    assert ReminderSent.objects.count() == 2


def test_the_job_retries_when_the_mail_server_cannot_be_reached(
    team, loop, mailoutbox, monkeypatch, retries_run_inline
):
    FlakyMailer(monkeypatch, ConnectionRefusedError("no server"), failures=2)

    with time_machine.travel(AT_THE_HOUR, tick=False):
        tasks.send_review_reminders.delay()

    assert len(mailoutbox) == 2


def test_a_failed_send_leaves_its_key_free_and_others_go_out(team, loop, mailoutbox, monkeypatch):
    FlakyMailer(
        monkeypatch, smtplib.SMTPRecipientsRefused({}), failures=1, only_to=team.leader.email
    )

    with pytest.raises(SendFailed):
        send_due_reminders(now=AT_THE_HOUR)

    assert sent_to(mailoutbox) == [team.member.email]
    assert list(ReminderSent.objects.values_list("recipient_id", flat=True)) == [team.member.pk]
    assert not Notification.objects.filter(recipient=team.leader).exists()  # rolled back
    send_due_reminders(now=AT_THE_HOUR)  # the retry
    assert sent_to(mailoutbox) == sorted([team.member.email, team.leader.email])


def test_an_unreachable_server_stops_the_run_for_the_retry(team, loop, mailoutbox, monkeypatch):
    mailer = FlakyMailer(monkeypatch, OSError("network down"), failures=5)

    with pytest.raises(OSError):
        send_due_reminders(now=AT_THE_HOUR)

    assert mailer.calls == 1
    assert not ReminderSent.objects.exists()


def test_the_tasks_are_acks_late_and_retry_with_backoff_on_mail_errors():
    for task in (
        tasks.send_review_reminders,
        tasks.send_weekly_review_summaries,
        tasks.announce_win,
    ):
        assert task.acks_late is True
        assert task.retry_backoff is True
        assert set(task.autoretry_for) >= {OSError, smtplib.SMTPException}


# The beat schedule ------------------------------------------------------------------------


def test_the_beat_schedule_runs_the_feedback_loops_jobs():
    app.autodiscover_tasks(force=True)
    schedule = app.conf.beat_schedule
    jobs = {entry["task"]: entry["schedule"] for entry in schedule.values()}

    for name in ("goals.tasks.send_review_reminders", "goals.tasks.send_weekly_review_summaries"):
        assert name in jobs
        assert name in app.tasks  # a real, registered task
        assert isinstance(jobs[name], crontab)
        # At least every quarter of an hour, so that local hours in any time zone are met.
        assert jobs[name].minute == {0, 15, 30, 45}


# Weekly summaries -------------------------------------------------------------------------

MONDAY_AT_NINE = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def test_leaders_get_a_weekly_summary_on_monday_once(team, loop, mailoutbox):
    other = make_goal(
        team.product, Level.PRODUCT, status=Status.AGREED, title="Pantry scanner",
        next_review_on=date(2026, 3, 15),
    )  # fmt: skip
    steady = make_goal(team.product, Level.SPRINT, status=Status.AGREED, title="Sprint 9")
    for goal, confidence, days_ago in [
        (loop, 4, 6), (loop, 2, 2), (steady, 3, 3), (other, 5, 30),
    ]:  # fmt: skip
        check_in = CheckIn.objects.create(goal=goal, author=team.member, confidence=confidence)
        CheckIn.objects.filter(pk=check_in.pk).update(
            created_at=MONDAY_AT_NINE - timedelta(days=days_ago)
        )

    assert due_weekly_summaries(now=MONDAY_AT_NINE - timedelta(minutes=1)) == []
    send_due_weekly_summaries(now=MONDAY_AT_NINE)
    send_due_weekly_summaries(now=MONDAY_AT_NINE + timedelta(hours=2))

    assert sent_to(mailoutbox) == [team.leader.email]
    message = mailoutbox[0]
    assert message.subject == f"Reviews in {team.product.name}: 2 done, 2 overdue"
    body = message.body
    assert "Reviews done (2):" in body
    assert "- Fridge planner" in body and "- Sprint 9" in body
    assert "Overdue (2):" in body  # Fridge planner (12 March) and Pantry scanner (15 March)
    assert "Pantry scanner, due 15 Mar 2026" in body
    assert "Confidence dropping (1):\n- Fridge planner: 4 to 2 of 5" in body
    assert f"/products/{team.product.pk}/reviews/" in body
    assert message.alternatives[0][1] == "text/html"


def test_a_summary_not_sent_by_wednesday_waits_for_the_next_monday(team, loop):
    thursday = MONDAY_AT_NINE + timedelta(days=3)
    assert due_weekly_summaries(now=MONDAY_AT_NINE + timedelta(days=2, hours=14))
    assert due_weekly_summaries(now=thursday) == []


def test_no_summary_for_a_product_without_agreed_goals(team, mailoutbox):
    make_goal(team.product, Level.VISION, status=Status.DRAFT)
    send_due_weekly_summaries(now=MONDAY_AT_NINE)
    assert mailoutbox == []


def test_the_summary_job_run_twice_sends_once(team, loop, mailoutbox):
    with time_machine.travel(MONDAY_AT_NINE, tick=False):
        tasks.send_weekly_review_summaries.delay()
        tasks.send_weekly_review_summaries.delay()
    assert len(mailoutbox) == 1
    assert ReminderSent.objects.filter(goal__isnull=True).count() == 1


# Sprint verdicts -----------------------------------------------------------------------------


def test_the_sprint_goals_owner_is_asked_for_a_verdict_at_the_sprints_end(team, loop, mailoutbox):
    sprint = make_goal(
        team.product, Level.SPRINT, loop, status=Status.AGREED, owner=team.member,
        title="Scan a fridge", starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 16),
    )  # fmt: skip

    before = datetime(2026, 3, 16, 7, 59, tzinfo=UTC)
    assert (ReminderKind.SPRINT_VERDICT, team.member.pk) not in due_kinds(before)
    send_due_reminders(now=MONDAY_AT_NINE)
    send_due_reminders(now=MONDAY_AT_NINE + timedelta(days=1))

    prompts = [m for m in mailoutbox if "Scan a fridge" in m.subject]
    assert len(prompts) == 1
    assert prompts[0].to == [team.member.email]
    assert f"/goals/{sprint.pk}/#verdict" in prompts[0].body
    Goal.objects.filter(pk=sprint.pk).update(sprint_verdict=SprintVerdict.MET)
    assert (ReminderKind.SPRINT_VERDICT, team.member.pk) not in due_kinds(
        MONDAY_AT_NINE + timedelta(days=2)
    )


def test_selection_costs_a_fixed_number_of_queries(team, loop, django_assert_num_queries):
    for i in range(30):
        goal = make_goal(
            team.product, Level.PRODUCT, status=Status.AGREED, owner=team.member,
            next_review_on=REVIEW_ON, title=f"Goal {i}",
        )  # fmt: skip
        KeyResultFactory(goal=goal, owner=team.leader, baseline=Decimal(0))
    # 1 goals with products, organisations and schedules, 2 product members,
    # 3 organisation admins, 4 key result owners, 5 keys already claimed.
    with django_assert_num_queries(5):
        due = due_goal_reminders(now=AT_THE_HOUR)
    assert len(due) == 62
    assert not ReminderSent.objects.filter(Q(goal__isnull=True)).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_reminder_once(team, loop, mailoutbox, monkeypatch):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL")
    real = reminders.send_templated_email

    def slow(**kwargs):
        time.sleep(0.3)  # the other run reaches the same key meanwhile, and waits for ours
        real(**kwargs)

    monkeypatch.setattr(reminders, "send_templated_email", slow)

    def run(_: int) -> int:
        try:
            return send_due_reminders(now=AT_THE_HOUR)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(pool.map(run, range(2)))

    assert sum(sent) == 2
    assert sent_to(mailoutbox) == sorted([team.member.email, team.leader.email])
    assert ReminderSent.objects.count() == 2
