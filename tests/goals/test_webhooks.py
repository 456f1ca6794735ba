"""Webhooks through the API: leaders add, change and remove hooks; bad input is named and
changes nothing; the events of the chain reach the hooks that asked for them, once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Verifier

from goalchain.sealed import unseal
from goals.models import DeliveryState, Level, Status, Webhook, WebhookDelivery
from goals.rules.webhooks import EVENTS
from goals.services.check_ins import Value, check_in_create
from goals.services.comments import comment_create
from goals.services.feedback import feedback_answer, feedback_round_close, feedback_round_open
from goals.services.goals import goal_create, goal_update
from goals.services.metrics import metric_token_create
from goals.services.reminders import send_due_reminders
from goals.services.webhooks import announce_goal, webhook_create
from tests.factories import KeyResultFactory, make_chain, make_goal
from tests.receiver import Reply
from tests.workshops.conftest import make_room
from workshops.models import Phase
from workshops.services.decisions import workshop_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block queued after commit (deliveries) at its end,
    as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def hooks_url(team) -> str:
    return f"/api/products/{team.product.pk}/webhooks/"


def add_hook(team, url: str, *, kind: str = "standard", events=None, active=True) -> Webhook:
    hook, _ = webhook_create(
        actor=team.leader, product=team.product, url=url, kind=kind,
        events=events or list(EVENTS), active=active,
    )  # fmt: skip
    return hook


def test_a_leader_adds_a_standard_hook_and_sees_its_secret_once(team, api, receiver):
    url = receiver.answer("/in")
    response = api(team.leader).post(
        hooks_url(team), {"url": url, "kind": "standard", "events": ["goal.agreed"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["goal.agreed"] and body["active"] is True
    hook = Webhook.objects.get(pk=body["id"])
    assert body["secret"] not in hook.secret  # kept encrypted
    assert unseal(hook.secret) == body["secret"]
    listed = api(team.leader).get(hooks_url(team)).json()["results"]
    assert [h["id"] for h in listed] == [hook.pk]
    assert "secret" not in listed[0]
    assert "secret" not in api(team.leader).get(f"/api/webhooks/{hook.pk}/").json()


def test_a_chat_hook_has_no_secret(team, api, receiver):
    response = api(team.leader).post(
        hooks_url(team),
        {"url": receiver.answer("/slack"), "kind": "slack", "events": ["goal.closed"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["secret"] == ""
    assert Webhook.objects.get().secret == ""


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "http://127.0.0.1:6379/", "kind": "standard", "events": ["goal.agreed"]},
         "url", "private, loopback or link-local"),
        ({"url": "http://169.254.169.254/latest", "kind": "slack", "events": ["goal.agreed"]},
         "url", "private, loopback or link-local"),
        ({"url": "https://10.0.0.1/in", "kind": "teams", "events": ["goal.agreed"]},
         "url", "private, loopback or link-local"),
        # A name is judged by what it resolves to: localhost is the loopback address.
        ({"url": "https://localhost:8443/in", "kind": "mattermost", "events": ["goal.agreed"]},
         "url", "private, loopback or link-local"),
        ({"url": "ftp://example.com/in", "kind": "slack", "events": ["goal.agreed"]},
         "url", "starting with https://"),
        ({"url": "https://hooks.invalid/in", "kind": "slack", "events": ["goal.agreed"]},
         "url", "could not be found"),
        ({"url": "https://hooks.invalid/in", "kind": "pager", "events": ["goal.agreed"]},
         "kind", ""),
        ({"url": "https://hooks.invalid/in", "kind": "slack", "events": []},
         "events", "at least one event"),
        ({"url": "https://hooks.invalid/in", "kind": "slack", "events": ["goal.eaten"]},
         "events", ""),
        ({"kind": "slack", "events": ["goal.agreed"]}, "url", ""),
    ],
)  # fmt: skip
def test_a_hook_that_could_not_work_is_refused_naming_why(team, api, body, field, message):
    response = api(team.leader).post(hooks_url(team), body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Webhook.objects.exists()


def test_a_leader_changes_a_hook_with_its_version_and_not_its_tool(team, api, receiver):
    hook = add_hook(team, receiver.answer("/in"))
    client = api(team.leader)
    url = f"/api/webhooks/{hook.pk}/"
    assert client.patch(url, {"active": False}, format="json").status_code == 400  # no version
    changed = client.patch(
        url, {"events": ["check_in.created", "goal.agreed"], "version": 1}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["events"] == ["goal.agreed", "check_in.created"]  # catalogue order
    stale = client.patch(url, {"active": False, "version": 1}, format="json")
    assert stale.status_code == 409
    other_tool = client.patch(url, {"kind": "slack", "version": 2}, format="json")
    assert other_tool.status_code == 400
    assert "add a new hook" in other_tool.json()["kind"][0]
    hook.refresh_from_db()
    assert (hook.kind, hook.active, hook.version) == ("standard", True, 2)
    assert client.delete(url).status_code == 204
    assert not Webhook.objects.exists()


def test_switching_a_hook_on_again_forgets_why_it_was_switched_off(team, api, receiver):
    hook = add_hook(team, receiver.answer("/in"), active=False)
    Webhook.objects.filter(pk=hook.pk).update(
        disabled_reason="Switched off after a day of failed deliveries.",
        failing_since=timezone.now() - timedelta(days=2),
    )
    response = api(team.leader).patch(
        f"/api/webhooks/{hook.pk}/", {"active": True, "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["disabled_reason"], response.json()["failing_since"]) == ("", None)


def test_an_agreed_goal_reaches_the_hook_signed(team, api, receiver, committed):
    path = "/in"
    hook = add_hook(team, receiver.answer(path, Reply(status=204, body=b"")),
                    events=["goal.agreed"])  # fmt: skip
    chain = make_chain(team.product)
    goal = make_goal(team.product, "product", chain.user_goal, title="Weekly planner")
    with committed():
        response = api(team.leader).post(
            f"/api/goals/{goal.pk}/agreement/",
            {"agreed_by": [team.member.pk], "reason": "Agreed at the offsite"},
            format="json",
        )
    assert response.status_code == 201, response.content

    (request,) = receiver.to(path)
    payload = Verifier(unseal(hook.secret)).verify(request.body, request.headers)
    assert payload["type"] == "goal.agreed"
    assert payload["data"]["goal"]["title"] == "Weekly planner"
    assert payload["data"]["goal"]["url"].endswith(f"/goals/{goal.pk}/")
    assert payload["data"]["actor"] == "Lea Leader"
    assert request.headers["webhook-id"].startswith("msg_")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    assert delivery.message_id == request.headers["webhook-id"]


def test_each_event_goes_only_to_the_hooks_that_asked_for_it(team, receiver, committed):
    wants_comments = add_hook(team, receiver.answer("/comments"), events=["comment.created"])
    add_hook(team, receiver.answer("/off"), events=["comment.created"], active=False)
    add_hook(team, receiver.answer("/drafts"), events=["goal.created"])
    with committed():
        goal = goal_create(
            actor=team.member, product=team.product, level="vision", title="Eat well"
        )
        comment_create(actor=team.stakeholder, goal=goal, body="Why **now**?")
    assert [json.loads(r.body)["type"] for r in receiver.to("/drafts")] == ["goal.created"]
    (comment,) = receiver.to("/comments")
    data = json.loads(comment.body)["data"]
    assert data["comment"]["excerpt"] == "Why now?"
    assert data["comment"]["author"] == "Sam Stakeholder"
    assert receiver.to("/off") == []
    assert WebhookDelivery.objects.filter(webhook=wants_comments).count() == 1


def test_an_event_announced_twice_is_delivered_once(team, receiver, committed):
    add_hook(team, receiver.answer("/in"), events=["goal.changed"])
    goal = make_goal(team.product, "vision", title="Eat well")
    for _ in range(2):
        with committed():
            announce_goal(
                event="goal.changed", goal=goal, actor=None, key="same", changed=["title"]
            )
    assert len(receiver.to("/in")) == 1
    assert WebhookDelivery.objects.count() == 1


def test_a_check_in_says_whether_confidence_dropped(team, receiver, committed):
    add_hook(team, receiver.answer("/in"), events=["check_in.created"])
    chain = make_chain(team.product)
    goal = chain.product_goal
    key_result = KeyResultFactory(goal=goal, owner=team.member, baseline=0, target=10, current=0)
    for confidence in (4, 2):
        with committed():
            check_in_create(
                actor=team.member, goal=goal, confidence=confidence,
                values=[Value(key_result.pk, Decimal(confidence))],
            )  # fmt: skip
    first, second = (json.loads(r.body)["data"] for r in receiver.to("/in"))
    assert (first["confidence"], first["previous_confidence"]) == (4, None)
    assert first["confidence_dropped"] is False
    assert (second["confidence"], second["previous_confidence"]) == (2, 4)
    assert second["confidence_dropped"] is True


def test_closing_a_goal_is_its_own_event_and_other_changes_name_their_fields(
    team, receiver, committed
):
    add_hook(team, receiver.answer("/in"), events=["goal.changed", "goal.closed"])
    chain = make_chain(team.product)
    goal = chain.sprint_goal
    with committed():
        goal_update(actor=team.leader, goal=goal, data={"title": "Ship the planner"},
                    version=goal.version, change_reason="Clearer")  # fmt: skip
    goal.refresh_from_db()
    with committed():
        goal_update(
            actor=team.leader, goal=goal, version=goal.version,
            data={"status": Status.ACHIEVED, "outcome_note": "Shipped on Friday"},
        )  # fmt: skip
    changed, closed = (json.loads(r.body) for r in receiver.to("/in"))
    assert changed["type"] == "goal.changed"
    assert changed["data"]["changed"] == ["title"] and changed["data"]["reason"] == "Clearer"
    assert closed["type"] == "goal.closed"
    assert closed["data"]["outcome"] == "achieved"


def test_a_workshop_decision_names_the_adopted_goal_and_never_the_votes(team, receiver, committed):
    add_hook(team, receiver.answer("/in"), events=["workshop.decided", "comment.created"])
    room = make_room(team)
    with committed():
        room.to(Phase.DRAFTING)
        proposal = room.propose(title="Weekly planner that reads the fridge")
        comment_create(actor=team.member, proposal=proposal, body="Only for the room")
        room.to(Phase.VOTING)
        for voter in room.voters:
            room.vote(voter, proposal, "agree")
        room.to(Phase.REVEALED)
        decision = workshop_decide(actor=team.leader, workshop=room.workshop, proposal=proposal)

    (request,) = receiver.to("/in")  # the proposal's comment stayed in the room
    payload = json.loads(request.body)
    assert payload["type"] == "workshop.decided"
    assert payload["data"]["goal"]["id"] == decision.goal_id
    assert payload["data"]["goal"]["title"] == "Weekly planner that reads the fridge"
    assert payload["data"]["workshop"]["title"] == "Roadmapping Q1"
    assert b"agree" not in request.body.replace(b"agreed", b"")


def test_a_value_pushed_from_data_reaches_the_hooks_as_a_key_result_change(
    team, api, receiver, committed
):
    add_hook(team, receiver.answer("/in"), events=["key_result.changed"])
    goal = make_chain(team.product).product_goal
    key_result = KeyResultFactory(goal=goal, owner=team.member, baseline=0, target=100, current=0)
    _, secret = metric_token_create(actor=team.leader, product=team.product, name="Warehouse")
    with committed():
        response = api(None).post(
            f"/api/key-results/{key_result.pk}/values/", {"value": 42}, format="json",
            HTTP_AUTHORIZATION=f"Token {secret}",
        )  # fmt: skip
    assert response.status_code == 201, response.content
    (request,) = receiver.to("/in")
    data = json.loads(request.body)["data"]
    assert data["key_result"]["current"] == 42 and data["change"] == "changed"


def test_a_closed_feedback_round_reaches_the_hooks_without_how_anyone_answered(
    team, receiver, committed
):
    """The answers are the leaders' (the API shows the summary to them alone); a chat
    channel is read by every member, so the hooks hear only that the round closed."""
    add_hook(team, receiver.answer("/in"), events=["feedback_round.closed"])
    add_hook(team, receiver.answer("/slack"), kind="slack", events=["feedback_round.closed"])
    goal = make_goal(team.product, Level.VISION, title="Everyone eats well")
    feedback_round = feedback_round_open(
        actor=team.leader, goal=goal, people=[team.member, team.stakeholder],
        deadline=timezone.localdate() + timedelta(days=3),
    )  # fmt: skip
    feedback_answer(
        actor=team.member, feedback_round=feedback_round, answer="object",
        comment="Nobody measured the fridge",
    )  # fmt: skip
    with committed():
        assert feedback_round_close(feedback_round_id=feedback_round.pk, actor=team.leader)

    (request,) = receiver.to("/in")
    payload = json.loads(request.body)
    assert payload["type"] == "feedback_round.closed"
    assert payload["data"]["goal"]["title"] == "Everyone eats well"
    assert payload["data"]["feedback_round"]["url"].endswith(f"/feedback/{feedback_round.pk}/")
    (chat,) = receiver.to("/slack")
    message = json.loads(chat.body)
    assert message["text"] == "Feedback round closed on “Everyone eats well”"
    for body in (request.body, chat.body):
        assert b"object" not in body.lower() and b"fridge" not in body.lower()
        assert b"support" not in body and b"concerns" not in body


def test_an_overdue_review_reaches_the_hooks_once_with_its_owner_and_day(team, receiver, committed):
    add_hook(team, receiver.answer("/in"), events=["review.overdue"])
    add_hook(team, receiver.answer("/slack"), kind="slack", events=["review.overdue"])
    review_on = date(2026, 3, 12)
    chain = make_chain(team.product)
    goal = chain.product_goal
    goal.owner, goal.next_review_on = team.member, review_on
    goal.save(update_fields=["owner", "next_review_on"])
    day_after = datetime(2026, 3, 13, 12, 0, tzinfo=UTC)

    for now in (day_after, day_after + timedelta(hours=5)):
        with committed():
            send_due_reminders(now=now)

    (request,) = receiver.to("/in")
    payload = json.loads(request.body)
    assert payload["type"] == "review.overdue"
    assert payload["data"]["goal"]["id"] == goal.pk
    assert payload["data"]["owner"] == "Tom Team"
    assert payload["data"]["due_on"] == "2026-03-12"
    (chat,) = receiver.to("/slack")
    text = json.dumps(json.loads(chat.body)["blocks"], ensure_ascii=False)
    assert json.loads(chat.body)["text"] == f"Review overdue: Product goal “{goal.title}”"
    assert "It was due on 12 Mar 2026." in text
