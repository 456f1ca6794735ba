"""Deliveries to a real HTTP server: signed, retried with backoff on errors and timeouts,
logged, sent once however often the sweep runs, and a hook failing for a day switched off
with word to the leaders. Chat hooks get their tool's message format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Verifier

from goalchain.sealed import unseal
from goals import tasks
from goals.models import DeliveryState, Notification, NotificationKind, Webhook, WebhookDelivery
from goals.rules.webhooks import EVENTS, headline
from goals.services.deliveries import delivery_send
from goals.services.webhooks import announce_goal, webhook_create
from tests.factories import make_goal
from tests.receiver import Reply

pytestmark = pytest.mark.django_db


def add_hook(team, url: str, *, kind: str = "standard", events=("goal.changed",)) -> Webhook:
    hook, _ = webhook_create(
        actor=team.leader, product=team.product, url=url, kind=kind, events=events, active=True
    )
    return hook


def an_event(team, key: str = "1", title: str = "Everyone eats well") -> WebhookDelivery:
    """Announce a goal change and return the delivery it made (not yet sent: the test's
    transaction never commits, so nothing is queued)."""
    goal = make_goal(team.product, "product", title=title)
    announce_goal(event="goal.changed", goal=goal, actor=team.leader, key=key, changed=["title"])
    return WebhookDelivery.objects.latest("pk")


def sweep_at(moment) -> None:
    """What beat does every minute, at `moment`."""
    with time_machine.travel(moment, tick=False):
        tasks.send_due_webhook_deliveries()


def test_a_failed_delivery_is_retried_with_backoff_under_the_same_id(team, receiver):
    hook = add_hook(team, receiver.answer("/in", Reply(status=500), Reply(status=200)))
    delivery = an_event(team)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert delivery.next_attempt_at == start + timedelta(seconds=30)

    sweep_at(start + timedelta(seconds=10))  # not due yet
    assert len(receiver.to("/in")) == 1
    sweep_at(start + timedelta(seconds=31))
    first, second = receiver.to("/in")
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert first.body == second.body
    secret = unseal(hook.secret)
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        Verifier(secret).verify(second.body, second.headers)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
    log = list(hook.attempts.order_by("at"))
    assert [(a.ok, a.response_code) for a in log] == [(False, 500), (True, 200)]
    assert log[0].error == "The address answered 500 (Internal Server Error)."

    sweep_at(start + timedelta(hours=2))  # delivered: never again
    assert len(receiver.to("/in")) == 2


def test_a_slow_receiver_times_out_and_is_retried(team, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    add_hook(team, receiver.answer("/in", Reply(delay=1.5), Reply()))
    delivery = an_event(team)
    attempt = delivery_send(delivery_id=delivery.pk)
    assert attempt is not None and not attempt.ok
    assert attempt.error == "The address did not answer in time."
    assert attempt.response_code is None
    sweep_at(timezone.now() + timedelta(minutes=1))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


def test_a_delivery_someone_is_sending_is_left_alone_until_the_lease_runs_out(team, receiver):
    add_hook(team, receiver.answer("/in"))
    delivery = an_event(team)
    now = timezone.now()
    # A worker claimed it and died mid-request.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(leased_until=now + timedelta(seconds=15))
    assert delivery_send(delivery_id=delivery.pk) is None
    sweep_at(now + timedelta(seconds=10))
    assert receiver.to("/in") == []
    sweep_at(now + timedelta(seconds=16))
    assert len(receiver.to("/in")) == 1
    sweep_at(now + timedelta(seconds=120))
    assert len(receiver.to("/in")) == 1


def test_a_hook_failing_for_a_day_is_switched_off_and_its_leaders_told_once(team, receiver):
    hook = add_hook(team, receiver.answer("/in", Reply(status=503)))
    first = an_event(team, key="1")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        delivery_send(delivery_id=first.pk)
    second = an_event(team, key="2")
    moment = start
    while moment < start + timedelta(days=1, hours=7):
        moment += timedelta(hours=1)
        sweep_at(moment)
    hook.refresh_from_db()
    assert hook.active is False
    assert hook.disabled_reason == (
        "Switched off after a day of failed deliveries. The last one: The address answered "
        "503 (Service Unavailable)."
    )
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.GIVEN_UP}
    (notice,) = Notification.objects.filter(kind=NotificationKind.HOOK_DISABLED)
    assert notice.recipient == team.leader
    assert notice.text == (
        f"The hook to 127.0.0.1 of {team.product.name} was switched off after a day of "
        "failed deliveries."
    )
    attempts = len(receiver.to("/in"))
    sweep_at(moment + timedelta(days=1))
    assert len(receiver.to("/in")) == attempts  # nothing more is sent
    assert second.pk != first.pk


def test_a_delivery_that_works_resets_the_hooks_failures(team, receiver):
    hook = add_hook(team, receiver.answer("/in", Reply(status=500), Reply(status=202)))
    delivery = an_event(team)
    delivery_send(delivery_id=delivery.pk)
    hook.refresh_from_db()
    assert hook.failing_since is not None
    sweep_at(timezone.now() + timedelta(minutes=1))
    hook.refresh_from_db()
    assert hook.failing_since is None and hook.active


def test_the_test_button_sends_a_ping_and_answers_how_it_went(team, api, receiver):
    hook = add_hook(team, receiver.answer("/in", Reply(status=200)))
    response = api(team.leader).post(f"/api/webhooks/{hook.pk}/test/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "delivered"
    assert response.json()["response_code"] == 200
    (request,) = receiver.to("/in")
    payload = Verifier(unseal(hook.secret)).verify(request.body, request.headers)
    assert payload["type"] == "ping"
    receiver.answer("/in", Reply(status=404))
    failed = api(team.leader).post(f"/api/webhooks/{hook.pk}/test/").json()
    assert failed["status"] == "failed"
    assert failed["error"] == "The address answered 404 (Not Found)."
    hook.refresh_from_db()
    assert hook.failing_since is None  # a test says nothing about the hook's deliveries
    log = api(team.leader).get(f"/api/webhooks/{hook.pk}/deliveries/").json()["results"]
    assert [(e["event"], e["status"], e["response_code"]) for e in log] == [
        ("ping", "failed", 404),
        ("ping", "delivered", 200),
    ]
    assert all(entry["message_id"].startswith("msg_") for entry in log)


def test_the_lists_read_a_fixed_number_of_queries(team, api, receiver):
    client = api(team.leader)
    hook = add_hook(team, receiver.answer("/in"))
    an_event(team, key="first")
    tasks.send_due_webhook_deliveries()
    counts = []
    for many in (False, True):
        if many:
            for i in range(30):
                add_hook(team, receiver.answer(f"/more{i}"))
                an_event(team, key=f"k{i}", title=f"Goal {i}")
            tasks.send_due_webhook_deliveries()
        with CaptureQueriesContext(connection) as hooks:
            assert client.get(f"/api/products/{team.product.pk}/webhooks/").status_code == 200
        with CaptureQueriesContext(connection) as log:
            assert client.get(f"/api/webhooks/{hook.pk}/deliveries/").status_code == 200
        counts.append((len(hooks.captured_queries), len(log.captured_queries)))
    assert counts[0] == counts[1]
    assert hook.attempts.count() == 31


@pytest.mark.parametrize("kind", ["slack", "teams", "mattermost"])
def test_chat_hooks_get_a_short_message_linked_to_the_page(team, receiver, kind):
    add_hook(team, receiver.answer("/chat"), kind=kind)
    title = "Plan <b>meals</b> & *fast* [now]"
    delivery_send(delivery_id=an_event(team, title=title).pk)
    (request,) = receiver.to("/chat")
    assert "webhook-signature" not in {name.lower() for name in request.headers}
    message = json.loads(request.body)
    goal_url = f"/goals/{WebhookDelivery.objects.get().payload['data']['goal']['id']}/"
    text = json.dumps(message)
    assert goal_url in text
    if kind == "slack":
        section = message["blocks"][0]["text"]["text"]
        assert "Plan &lt;b&gt;meals&lt;/b&gt; &amp; *fast* [now]" in section
        assert section.startswith("*<http")
        assert message["blocks"][1]["elements"][0]["text"] == f"{team.product.name} · by Lea Leader"
    elif kind == "teams":
        card = message["attachments"][0]["content"]
        assert card["type"] == "AdaptiveCard"
        assert card["body"][0]["text"] == f"Changed: Product goal “{title}”"
        assert card["actions"][0]["url"].endswith(goal_url)
    else:
        escaped = r"Plan <b\>meals</b\> & \*fast\* \[now\]"
        assert message["text"].startswith(f"**[Changed: Product goal “{escaped}”](http")


@pytest.mark.parametrize("event", list(EVENTS))
def test_every_event_in_the_catalogue_has_words_of_its_own(event):
    payload = {
        "type": event,
        "data": {"goal": {"title": "Eat well", "level_name": "Vision"}, "actor": "Lea Leader"},
    }
    ping = headline({"type": "ping", "data": {}})
    assert headline(payload) != ping
    assert "Eat well" in headline(payload) or event == "key_result.changed"
