"""The integrations page and a hook's page: leaders add, change, try and remove hooks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import DeliveryAttempt, Webhook
from goals.rules.webhooks import EVENTS
from goals.services.deliveries import delivery_send_now
from goals.services.webhooks import webhook_create, webhook_ping
from tests.receiver import Reply

pytestmark = pytest.mark.django_db


def add_hook(team, url: str, kind: str = "slack") -> Webhook:
    hook, _ = webhook_create(
        actor=team.leader, product=team.product, url=url, kind=kind,
        events=["goal.agreed"], active=True,
    )  # fmt: skip
    return hook


def test_a_leader_adds_a_standard_hook_and_sees_its_secret_once(team, browser_client, receiver):
    client = browser_client(team.leader)
    page = f"/products/{team.product.pk}/integrations/"
    response = client.post(
        page,
        {"kind": "standard", "url": receiver.answer("/in"), "events": ["goal.agreed"],
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    hook = Webhook.objects.get()
    assert (hook.kind, hook.events, hook.active) == ("standard", ["goal.agreed"], True)
    shown = client.get(page).content.decode()
    assert "The hook's signing secret" in shown and 'value="whsec_' in shown
    again = client.get(page).content.decode()
    assert "whsec_" not in again
    assert "1 of 10" in again


def test_a_hook_that_could_not_work_is_refused_on_the_page(team, browser_client):
    response = browser_client(team.leader).post(
        f"/products/{team.product.pk}/integrations/",
        {"kind": "slack", "url": "http://169.254.169.254/latest", "events": []},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "private, loopback or link-local" in text
    assert "Choose at least one event to send." in text
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("role", ["member", "stakeholder", "outsider"])
def test_only_leaders_open_the_integrations(team, browser_client, receiver, role):
    hook = add_hook(team, receiver.answer("/in"))
    client = browser_client(getattr(team, role))
    expected = 404 if role == "outsider" else 403
    assert client.get(f"/products/{team.product.pk}/integrations/").status_code == expected
    assert client.get(f"/webhooks/{hook.pk}/").status_code == expected
    assert client.post(f"/webhooks/{hook.pk}/delete/").status_code == expected
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_a_leader_changes_a_hook_and_a_stale_form_keeps_what_they_typed(
    team, browser_client, receiver
):
    hook = add_hook(team, receiver.answer("/in"))
    client = browser_client(team.leader)
    page = f"/webhooks/{hook.pk}/"
    saved = client.post(page, {"url": hook.url, "events": ["goal.closed"], "version": 1})
    assert saved.status_code == 302
    hook.refresh_from_db()
    assert (hook.events, hook.active, hook.version) == (["goal.closed"], False, 2)
    stale = client.post(
        page, {"url": hook.url, "events": ["check_in.created"], "active": "on", "version": 1}
    )
    assert stale.status_code == 400
    assert "Someone else saved this" in stale.content.decode()
    hook.refresh_from_db()
    assert hook.events == ["goal.closed"]


def test_the_test_button_says_how_the_address_answered(team, browser_client, receiver):
    hook = add_hook(team, receiver.answer("/in", Reply(status=200), Reply(status=500)))
    client = browser_client(team.leader)
    delivered = client.post(f"/webhooks/{hook.pk}/test/", follow=True).content.decode()
    assert "The test message was delivered (200)." in delivered
    failed = client.post(f"/webhooks/{hook.pk}/test/", follow=True).content.decode()
    assert (
        "The test message was not delivered. The address answered 500 (Internal Server Error)."
        in failed
    )
    assert "Failed: The address answered 500" in failed  # in the log too
    assert DeliveryAttempt.objects.count() == 2


def test_a_leader_removes_a_hook(team, browser_client, receiver):
    hook = add_hook(team, receiver.answer("/in"))
    response = browser_client(team.leader).post(f"/webhooks/{hook.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/products/{team.product.pk}/integrations/"
    assert not Webhook.objects.exists()


def test_the_pages_read_a_fixed_number_of_queries(team, browser_client, receiver):
    client = browser_client(team.leader)
    hook = add_hook(team, receiver.answer("/in"))
    delivery_send_now(delivery=webhook_ping(webhook=hook))
    counts = []
    for many in (False, True):
        if many:
            for i in range(25):
                add_hook(team, receiver.answer(f"/more{i}"), kind="teams")
                delivery_send_now(delivery=webhook_ping(webhook=hook))
        with CaptureQueriesContext(connection) as integrations:
            assert client.get(f"/products/{team.product.pk}/integrations/").status_code == 200
        with CaptureQueriesContext(connection) as hook_page:
            assert client.get(f"/webhooks/{hook.pk}/").status_code == 200
        counts.append((len(integrations.captured_queries), len(hook_page.captured_queries)))
    assert counts[0] == counts[1]


def test_the_events_are_offered_in_the_pages_words(team, browser_client):
    text = browser_client(team.leader).get(f"/products/{team.product.pk}/integrations/")
    for words in EVENTS.values():
        assert words.replace("'", "&#x27;") in text.content.decode()
