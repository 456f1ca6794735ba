"""Password reset by email: the page does the same work whether or not the account exists
(the account is looked up by a task), and resets are limited per email typed, per client
address and per account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goals import tasks
from goals.models import OrganizationMembership, User
from tests.factories import OrganizationFactory, UserFactory

RESET = "/password-reset/"


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", display_name="Ada")


@pytest.fixture
def queued(monkeypatch):
    """The emails the page queued the reset task for (the task itself does not run)."""
    emails: list[str] = []
    monkeypatch.setattr(tasks.send_password_reset_email, "delay", emails.append)
    return emails


def ask(client, email: str, address: str = "192.0.2.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_it_does_the_same_work_whether_or_not_the_account_exists(
    client, ada, queued, django_capture_on_commit_callbacks
):
    answers, queries = [], []
    for email in ("ada@example.com", "nobody@example.com"):
        with (
            django_capture_on_commit_callbacks(execute=True),
            CaptureQueriesContext(connection) as captured,
        ):
            response = ask(client, email)
        answers.append((response.status_code, response["Location"]))
        queries.append([query["sql"] for query in captured.captured_queries])

    assert answers == [(302, "/password-reset/sent/")] * 2
    assert queries[0] == queries[1]
    assert not any(User._meta.db_table in sql for sql in queries[0])
    assert queued == ["ada@example.com", "nobody@example.com"]


def test_it_mails_djangos_reset_link_at_the_site_address(
    client, ada, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://goals.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, "ADA@example.com")["Location"] == "/password-reset/sent/"
    (message,) = mailoutbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Choose a new Goal Chain password"
    link = re.search(r"https://goals\.example\.com(/password-reset/\S+/)", message.body).group(1)
    assert link in message.alternatives[0][0]
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()


def _inactive():
    return UserFactory(email="ada@example.com", is_active=False)


def _without_password():
    user = UserFactory(email="ada@example.com")
    user.set_unusable_password()
    user.save()
    return user


def _single_sign_on_only():
    user = UserFactory(email="ada@example.com")
    organization = OrganizationFactory(name="Acme", sso_only=True)
    OrganizationMembership.objects.create(organization=organization, user=user)
    return user


@pytest.mark.parametrize("make", [lambda: None, _inactive, _without_password, _single_sign_on_only])
def test_the_task_sends_nothing_to_an_account_that_may_not_reset(db, mailoutbox, make):
    make()
    tasks.send_password_reset_email("ada@example.com")
    assert mailoutbox == []


def test_the_task_sends_three_links_an_hour_to_an_account_whatever_the_spelling(
    ada, mailoutbox, cache_in_process
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for email in ("ada@example.com", "ADA@example.com", "Ada@Example.COM", "ada@EXAMPLE.com"):
            tasks.send_password_reset_email(email)
        assert len(mailoutbox) == 3
        clock.shift(timedelta(hours=1, seconds=1))
        tasks.send_password_reset_email("ada@example.com")
    assert len(mailoutbox) == 4


def test_the_page_asks_to_wait_after_three_requests_for_one_email(
    client, db, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("someone@example.com", "SOMEONE@example.com", " someone@example.com "):
            assert ask(client, email).status_code == 302
        response = ask(client, "Someone@Example.com", address="192.0.2.99")
    html = response.content.decode()
    assert response.status_code == 429
    assert "wait an hour and try again" in html
    assert 'role="alert"' in html
    assert len(queued) == 3


def test_the_page_asks_to_wait_after_twenty_requests_from_one_address(
    client, db, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(20):
            assert ask(client, f"person{number}@example.com").status_code == 302
        response = ask(client, "one-more@example.com")
        assert response.status_code == 429
        assert "try again later" in response.content.decode()
        assert ask(client, "one-more@example.com", address="198.51.100.1").status_code == 302
    assert len(queued) == 21


def test_the_limits_end_with_the_hour(client, db, queued, cache_in_process):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            ask(client, "someone@example.com")
        assert ask(client, "someone@example.com").status_code == 429
        clock.shift(timedelta(hours=1, seconds=1))
        assert ask(client, "someone@example.com").status_code == 302


def test_the_page_still_checks_the_email_typed(client, db, queued):
    response = ask(client, "not an email")
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    assert queued == []
