"""Sending a hook's deliveries: at most once each, retried with backoff, logged, and a hook
that has failed for a day switched off with word to the product's leaders.

A worker claims a delivery with a lease (a conditional update), sends it outside any
transaction, and records the attempt. Two workers never send it at once; a worker killed
mid-request leaves a lease that runs out, and the next sweep sends it again with the same
`webhook-id`, so a receiver that keeps the ids it has seen (as the Standard Webhooks
specification asks) takes it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Signer

from goalchain.outbound import Answer, OutboundError, send
from goalchain.sealed import unseal
from goals.models import (
    DeliveryAttempt,
    DeliveryState,
    HookKind,
    NotificationKind,
    ProductMembership,
    ProductRole,
    Webhook,
    WebhookDelivery,
)
from goals.rules.webhooks import body_of
from goals.services.notifications import notify

MAX_ANSWER_BYTES = 64_000
# The waits between attempts; the last one repeats until the hook is switched off.
BACKOFF = [timedelta(seconds=s) for s in (30, 120, 600, 1800, 3600, 7200, 14400, 21600)]
SWITCH_OFF_AFTER = timedelta(days=1)
# A delivery still failing this long after its event is dropped, even if its hook works.
GIVE_UP_AFTER = timedelta(hours=26)


def delivery_send(*, delivery_id: int) -> DeliveryAttempt | None:
    """Send one delivery if it is due and nobody else is sending it; None when it was not
    this call's to send."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + _lease())
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook__product").get(pk=delivery_id)
    if not delivery.webhook.active and delivery.event != "ping":
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.GIVEN_UP, leased_until=None
        )
        return None
    return _attempt(delivery)


def delivery_send_now(*, delivery: WebhookDelivery) -> DeliveryAttempt:
    """Send a test message at once, for the person who asked for it to see the answer."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(leased_until=timezone.now() + _lease())
    return _attempt(delivery)


def deliveries_due() -> list[int]:
    """The deliveries whose next attempt is due and that no live worker holds."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )


def _attempt(delivery: WebhookDelivery) -> DeliveryAttempt:
    hook = delivery.webhook
    body = body_of(hook.kind, delivery.payload)
    headers = {"Content-Type": "application/json"}
    started = timezone.now()
    answer: Answer | None = None
    error = ""
    try:
        if hook.kind == HookKind.STANDARD:
            headers |= _signed(hook, delivery.message_id, started, body)
        answer = send(
            "POST", hook.url, body=body, headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS, max_bytes=MAX_ANSWER_BYTES,
        )  # fmt: skip
    except OutboundError as failure:
        error = str(failure)
    except ValueError:  # sealed under a SECRET_KEY this server no longer has
        error = "The hook's signing secret cannot be read here: add a new hook."
    ok = answer is not None and 200 <= answer.status < 300
    if answer is not None and not ok:
        error = f"The address answered {_status_text(answer.status)}."
    milliseconds = (
        answer.milliseconds
        if answer is not None
        else round((timezone.now() - started).total_seconds() * 1000)
    )
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.create(
            webhook=hook,
            delivery=delivery,
            at=started,
            ok=ok,
            response_code=answer.status if answer is not None else None,
            milliseconds=milliseconds,
            error=error[:300],
        )
        if ok:
            _delivered(delivery, hook)
        else:
            _failed(delivery, hook, error)
    return attempt


def _lease() -> timedelta:
    """Longer than a request can take: a lease still held after it belongs to a dead worker."""
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 5)


def _status_text(status: int) -> str:
    try:
        return f"{status} ({HTTPStatus(status).phrase})"
    except ValueError:
        return str(status)


def _signed(hook: Webhook, message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    signer = Signer(unseal(hook.secret))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signer.sign(msg_id=message_id, timestamp=at, data=body),
    }


def _delivered(delivery: WebhookDelivery, hook: Webhook) -> None:
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.DELIVERED, delivered_at=now, leased_until=None,
        attempts=F("attempts") + 1,
    )  # fmt: skip
    Webhook.objects.filter(pk=hook.pk, failing_since__isnull=False).update(failing_since=None)


def _failed(delivery: WebhookDelivery, hook: Webhook, error: str) -> None:
    now = timezone.now()
    wait = BACKOFF[min(delivery.attempts, len(BACKOFF) - 1)]
    given_up = delivery.event == "ping" or now - delivery.created_at >= GIVE_UP_AFTER
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.GIVEN_UP if given_up else DeliveryState.PENDING,
        next_attempt_at=now + wait, leased_until=None, attempts=F("attempts") + 1,
    )  # fmt: skip
    if delivery.event == "ping":
        return  # a test shows its answer to whoever sent it; it says nothing of the hook
    Webhook.objects.filter(pk=hook.pk, failing_since__isnull=True).update(failing_since=now)
    hook.refresh_from_db(fields=["failing_since", "active"])
    if hook.active and hook.failing_since and now - hook.failing_since >= SWITCH_OFF_AFTER:
        _switch_off(hook, error)


def _switch_off(hook: Webhook, error: str) -> None:
    reason = f"Switched off after a day of failed deliveries. The last one: {error}"[:300]
    switched = Webhook.objects.filter(pk=hook.pk, active=True).update(
        active=False, disabled_reason=reason, version=F("version") + 1
    )
    if not switched:
        return  # another worker switched it off and told the leaders
    WebhookDelivery.objects.filter(webhook=hook, state=DeliveryState.PENDING).update(
        state=DeliveryState.GIVEN_UP, leased_until=None
    )
    leaders = ProductMembership.objects.filter(
        product_id=hook.product_id, role=ProductRole.LEADER
    ).values_list("user_id", flat=True)
    notify(
        recipients=leaders,
        kind=NotificationKind.HOOK_DISABLED,
        event=f"hook-disabled:{hook.pk}:{hook.failing_since:%Y%m%d%H%M%S}",
        actor=None,
        product_id=hook.product_id,
        text=(
            f"The hook to {urlsplit(hook.url).hostname} of {hook.product.name} was switched "
            "off after a day of failed deliveries."
        ),
        url=reverse("webhook", args=[hook.pk]),
        excerpt=error,
    )
