"""Webhooks and chat hooks: leaders add, change and remove them; the services that change the
chain announce their events here, in the transaction of the change, and each hook that asked
for the event gets one delivery, sent after the commit (goals/services/deliveries.py)."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goalchain.outbound import OutboundError, check_url
from goalchain.queue import enqueue
from goalchain.sealed import seal
from goals.emails import day_text
from goals.errors import DomainError, Errors
from goals.models import (
    URL_MAX_LENGTH,
    Goal,
    HookKind,
    KeyResult,
    Product,
    User,
    Webhook,
    WebhookDelivery,
)
from goals.rules.webhooks import EVENTS, PING
from goals.services.versioning import check_version, model_update
from goals.wording import json_number

SECRET_START = "whsec_"


def webhook_create(
    *, actor: User, product: Product, url: str, kind: str, events: Iterable[str], active: bool
) -> tuple[Webhook, str]:
    """A new hook and, for a standard one, its signing secret: shown now, never again."""
    errors = Errors()
    if kind not in HookKind.values:
        errors.add("kind", "Choose Standard Webhooks, Slack, Microsoft Teams or Mattermost.")
    checked_events = _checked(errors, "events", _checked_events, events)
    checked_url = _checked(errors, "url", _checked_url, url)
    errors.raise_if_any()
    secret = SECRET_START + base64.b64encode(secrets.token_bytes(24)).decode()
    hook = Webhook(
        product=product,
        url=checked_url,
        kind=kind,
        events=checked_events,
        active=active,
        secret=seal(secret) if kind == HookKind.STANDARD else "",
        created_by=actor,
    )
    hook.save()
    return hook, secret if kind == HookKind.STANDARD else ""


def webhook_update(*, webhook: Webhook, version: int | None, values: dict[str, Any]) -> Webhook:
    """Change a hook's address, events or whether it is on; switching it on again forgets
    the failures that switched it off."""
    check_version(webhook, version)
    if "kind" in values and values["kind"] != webhook.kind:
        raise DomainError({"kind": ["A hook keeps its tool: add a new hook for another one."]})
    checked: dict[str, Any] = {}
    if "url" in values:
        checked["url"] = _checked_url(values["url"])
    if "events" in values:
        checked["events"] = _checked_events(values["events"])
    if "active" in values:
        checked["active"] = bool(values["active"])
        if checked["active"] and not webhook.active:
            checked |= {"failing_since": None, "disabled_reason": ""}
    model_update(webhook, checked)
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    """Remove a hook with its deliveries and their log."""
    webhook.delete()


def webhook_ping(*, webhook: Webhook) -> WebhookDelivery:
    """A test message for the hook (even one switched off), sent by the caller at once."""
    product = webhook.product
    return _delivery(
        webhook,
        event=PING,
        key=f"{PING}:{uuid.uuid4().hex}",
        data={"product": _product(product), "hook": {"id": webhook.pk, "kind": webhook.kind}},
    )


def announce(*, product_id: int, event: str, key: str, data: Callable[[], dict[str, Any]]) -> None:
    """Queue `event` for every active hook of the product that asked for it, once per hook
    however many times it is announced (`key` names the occurrence). Call it inside the
    transaction of the change: the deliveries commit with it and are sent after. `data`
    builds the payload, only when some hook wants it."""
    assert event in EVENTS, event
    hooks = [
        hook
        for hook in Webhook.objects.filter(product_id=product_id, active=True)
        if event in hook.events
    ]
    if not hooks:
        return
    payload = data()
    for hook in hooks:
        _delivery(hook, event=event, key=f"{event}:{key}", data=payload, queued=True)


def announce_goal(*, event: str, goal: Goal, actor: User | None, key: str, **extra: Any) -> None:
    """Announce an event about one goal, with what every member of its product may read.
    A callable in `extra` is called for its value only when some hook wants the event."""

    def data() -> dict[str, Any]:
        return {
            "product": _product(goal.product),
            "goal": _goal_summary(goal),
            "actor": actor.display_name if actor is not None else None,
            **{name: value() if callable(value) else value for name, value in extra.items()},
        }

    announce(product_id=goal.product_id, event=event, key=key, data=data)


def announce_key_result(
    *, key_result: KeyResult, goal: Goal, actor: User | None, change: str, key: str
) -> None:
    """Announce a key result added, changed or removed, with its numbers."""
    summary = {
        "id": key_result.pk,
        "title": key_result.title,
        "unit": key_result.unit,
        "baseline": json_number(key_result.baseline),
        "target": json_number(key_result.target),
        "current": json_number(key_result.current),
    }
    announce_goal(
        event="key_result.changed", goal=goal, actor=actor, key=f"{change}:{key}",
        change=change, key_result=summary,
    )  # fmt: skip


def announce_review_overdue(*, product_id: int, goal_id: int, due_on: date) -> None:
    """Announce a goal whose review date passed without a check-in, once per review date."""

    def data() -> dict[str, Any]:
        goal = Goal.objects.select_related("product", "owner").get(pk=goal_id)
        return {
            "product": _product(goal.product),
            "goal": _goal_summary(goal),
            "actor": None,
            "owner": goal.owner.display_name if goal.owner else None,
            "due_on": due_on.isoformat(),
            "due_on_text": day_text(due_on),
        }

    announce(product_id=product_id, event="review.overdue", key=f"{goal_id}:{due_on}", data=data)


def _goal_summary(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "title": goal.title,
        "level": goal.level,
        "level_name": goal.get_level_display(),
        "status": goal.status,
        "url": settings.SITE_URL + reverse("goal", args=[goal.pk]),
    }


def _product(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "name": product.name,
        "url": settings.SITE_URL + reverse("product-chain", args=[product.pk]),
    }


def _delivery(
    hook: Webhook, *, event: str, key: str, data: dict[str, Any], queued: bool = False
) -> WebhookDelivery:
    now = timezone.now()
    message_id = f"msg_{uuid.uuid4().hex}"
    payload = {"type": event, "timestamp": now.isoformat(), "data": data}
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                webhook=hook,
                event=event,
                key=key[:200],
                message_id=message_id,
                payload=payload,
                next_attempt_at=now,
            )
    except IntegrityError:  # announced before: it keeps its one delivery
        return WebhookDelivery.objects.get(webhook=hook, key=key[:200])
    if queued:
        enqueue("goals.tasks.deliver_webhook", delivery.pk)
    return delivery


def _checked[T](errors: Errors, field: str, check: Callable[[T], T], value: T) -> T:
    """`check(value)`, its refusal kept in `errors` so that every field is named at once."""
    try:
        return check(value)
    except DomainError as error:
        for message in error.errors.get(field, []):
            errors.add(field, message)
        return value


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise DomainError({"url": ["Give the address the messages are sent to."]})
    if len(url) > URL_MAX_LENGTH:
        raise DomainError({"url": [f"Keep the address to {URL_MAX_LENGTH:,} characters."]})
    try:
        check_url(url)
    except OutboundError as error:
        raise DomainError({"url": [str(error)]}) from None
    return url


def _checked_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [event for event in chosen if event not in EVENTS]
    if unknown:
        raise DomainError(
            {"events": [f"Unknown event: {', '.join(unknown)}. Choose from the catalogue."]}
        )
    if not chosen:
        raise DomainError({"events": ["Choose at least one event to send."]})
    return sorted(chosen, key=list(EVENTS).index)
