"""API shapes of webhooks and chat hooks, and of their delivery log."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from goals.api.serializers.common import VersionedSerializer, id_field
from goals.models import URL_MAX_LENGTH, DeliveryAttempt, HookKind
from goals.rules.webhooks import EVENTS

EVENTS_HELP = "The events to send, from the catalogue: " + ", ".join(EVENTS) + "."


class WebhookSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    product = id_field(foreign_key=True, read_only=True)
    url = serializers.CharField(max_length=URL_MAX_LENGTH, help_text="Where the messages go.")
    kind = serializers.ChoiceField(
        choices=HookKind.choices,
        help_text="`standard`: JSON signed per the Standard Webhooks specification; `slack`, "
        "`teams`, `mattermost`: a message in that tool's incoming-webhook format. Set on create.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)), help_text=EVENTS_HELP
    )
    active = serializers.BooleanField(
        default=True, help_text="Off: nothing is sent. Switching it on forgets the failures."
    )
    failing_since = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The first failed delivery since the last one that worked.",
    )
    disabled_reason = serializers.CharField(
        read_only=True, help_text="Why Goal Chain switched it off (after a day of failures)."
    )
    created_at = serializers.DateTimeField(read_only=True)


class WebhookUpdateSerializer(WebhookSerializer):
    url = serializers.CharField(max_length=URL_MAX_LENGTH, required=False)
    kind = serializers.ChoiceField(choices=HookKind.choices, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)), required=False
    )
    active = serializers.BooleanField(required=False)


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="`standard` hooks: the signing secret (`whsec_…`), shown this once; "
        "empty for chat hooks.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        hook, secret = instance
        return {**super().to_representation(hook), "secret": secret}


class DeliveryAttemptSerializer(serializers.ModelSerializer[DeliveryAttempt]):
    event = serializers.CharField(source="delivery.event")
    message_id = serializers.CharField(
        source="delivery.message_id", help_text="The `webhook-id` header: the same on retries."
    )
    status = serializers.SerializerMethodField(help_text="`delivered` or `failed`.")
    duration_ms = serializers.IntegerField(source="milliseconds")

    class Meta:
        model = DeliveryAttempt
        fields = ["id", "event", "message_id", "at", "status", "response_code", "duration_ms",
                  "error"]  # fmt: skip

    def get_status(self, attempt: DeliveryAttempt) -> str:
        return "delivered" if attempt.ok else "failed"
