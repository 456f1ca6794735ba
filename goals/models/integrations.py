"""Integrations: webhooks and chat hooks with their deliveries, metric tokens and sources that
feed key results, and personal calendar feeds."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from goals.models.chain import KeyResult
from goals.models.people import Product, User

URL_MAX_LENGTH = 2000
TOKEN_NAME_MAX_LENGTH = 100


class HookKind(models.TextChoices):
    STANDARD = "standard", "Standard Webhooks (signed JSON)"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"
    MATTERMOST = "mattermost", "Mattermost"


class Webhook(models.Model):
    """Where a product's events are sent: a signed JSON webhook or a chat tool's incoming
    webhook. `secret` (standard hooks only) is kept encrypted: signing needs it back."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="webhooks")
    url = models.CharField(max_length=URL_MAX_LENGTH)
    kind = models.CharField(max_length=16, choices=HookKind.choices)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    secret = models.TextField(blank=True)
    created_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The first failed attempt since the last delivered one: a day of failures switches it off.
    failing_since = models.DateTimeField(null=True, blank=True)
    # Why it was switched off by Goal Chain (empty when a person switched it off, or it is on).
    disabled_reason = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} hook of product {self.product_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    GIVEN_UP = "given_up", "Given up"


class WebhookDelivery(models.Model):
    """One event for one hook. `key` names the event: an event reaches each hook once, however
    many times the code that announces it runs; its `message_id` (the `webhook-id` header)
    stays the same on every attempt, so a receiver can drop a repeat."""

    webhook = models.ForeignKey(Webhook, models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    message_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField()
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker sending it holds it until then: another one (or a retry) leaves it alone, and a
    # worker that died mid-request lets it go when the time is up.
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "key"], name="one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} for hook {self.webhook_id}"


class DeliveryAttempt(models.Model):
    """One request made for a delivery, as the delivery log shows it."""

    webhook = models.ForeignKey(Webhook, models.CASCADE, related_name="attempts")
    delivery = models.ForeignKey(WebhookDelivery, models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    milliseconds = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["webhook", "-at", "-id"])]

    def __str__(self) -> str:
        return f"Attempt at {self.at:%Y-%m-%d %H:%M} for hook {self.webhook_id}"


class MetricToken(models.Model):
    """A token that can only push key-result values of one product. Like personal tokens, the
    database keeps its SHA-256 and first characters, never the secret."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="metric_tokens")
    name = models.CharField(max_length=TOKEN_NAME_MAX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SourceFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"


class SourceEvery(models.TextChoices):
    HOURLY = "hourly", "Every hour"
    DAILY = "daily", "Every day"


class MetricSource(models.Model):
    """Where a key result's value is fetched from, and how the last fetch went."""

    key_result = models.OneToOneField(KeyResult, models.CASCADE, related_name="source")
    url = models.CharField(max_length=URL_MAX_LENGTH)
    format = models.CharField(max_length=8, choices=SourceFormat.choices)
    # A JSON pointer ("/data/0/count") or a CSV column name: the last row's value is taken.
    path = models.CharField(max_length=300)
    every = models.CharField(max_length=8, choices=SourceEvery.choices)
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # The owner hears once about a run of failures; a fetch that works again resets it.
    error_notified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Source of key result {self.key_result_id}"


class MetricValue(models.Model):
    """A value that reached a key result from data: pushed with a metric token or fetched
    from its source. The chart shows it beside the check-ins' values."""

    key_result = models.ForeignKey(KeyResult, models.CASCADE, related_name="metric_values")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    previous = models.DecimalField(max_digits=16, decimal_places=4)
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)
    # Who sent it, as the history shows it: the token's name, or "its source".
    by = models.CharField(max_length=TOKEN_NAME_MAX_LENGTH + 20)
    token = models.ForeignKey(MetricToken, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["key_result", "-at"])]

    def __str__(self) -> str:
        return f"{self.value} for key result {self.key_result_id}"


class CalendarFeed(models.Model):
    """A person's calendar feed: its address holds a secret kept only as a SHA-256; a new
    address replaces the old one, which stops working."""

    user = models.OneToOneField(User, models.CASCADE, related_name="calendar_feed")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
