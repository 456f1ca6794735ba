"""Reads of webhooks and their delivery log."""

from __future__ import annotations

from django.db.models import QuerySet

from goals.models import DeliveryAttempt, Product, Webhook


def hooks_of(product: Product) -> QuerySet[Webhook]:
    """The product's hooks, oldest first."""
    return Webhook.objects.filter(product=product).order_by("created_at", "pk")


def delivery_log(hook: Webhook) -> QuerySet[DeliveryAttempt]:
    """The hook's attempts, newest first, each with its delivery's event and message id."""
    return (
        DeliveryAttempt.objects.filter(webhook=hook)
        .select_related("delivery")
        .only(
            "id",
            "at",
            "ok",
            "response_code",
            "milliseconds",
            "error",
            "delivery__event",
            "delivery__message_id",
        )
        .order_by("-at", "-pk")
    )
