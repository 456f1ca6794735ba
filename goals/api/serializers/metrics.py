"""API shapes of the values that reach key results from data: metric tokens (the secret only
in the answer that creates one), pushed values and a key result's data source."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from goals.api.serializers.common import DateTimeInWindowField, MeasureField
from goals.models import (
    MEASURE_DIGITS,
    MEASURE_PLACES,
    TOKEN_NAME_MAX_LENGTH,
    URL_MAX_LENGTH,
    KeyResult,
    SourceEvery,
    SourceFormat,
)
from goals.services import metric_sources, metrics


class MetricTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(
        read_only=True, help_text="The secret's first characters, to tell tokens apart."
    )
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Recorded at most once a minute."
    )


class NewMetricTokenSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text="What pushes with it, e.g. “Nightly warehouse export”: the goal's history "
        "names the values it sends after it.",
        error_messages={
            "required": metrics.NAME_MISSING,
            "blank": metrics.NAME_MISSING,
            "max_length": metrics.NAME_TOO_LONG,
        },
    )


class CreatedMetricTokenSerializer(MetricTokenSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text="The secret (gcm_…): shown this once, never again. Send it as "
        "`Authorization: Token <secret>` to POST /api/key-results/{id}/values/.",
    )


_VALUE_ERRORS: dict[str, Any] = {
    key: metrics.VALUE_MESSAGE
    for key in (
        "invalid",
        "max_digits",
        "max_decimal_places",
        "max_whole_digits",
        "max_string_length",
        "required",
        "null",
    )
}


class NewMetricValueSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        help_text='A JSON number or a text that is one ("1234.5"): below 100 billion, at most '
        "four decimal places.",
        error_messages=_VALUE_ERRORS,
    )
    at = DateTimeInWindowField(
        required=False,
        help_text="When it was measured (ISO 8601), not in the future; now when left out. "
        "Only the newest value becomes the key result's current value: an older one is kept "
        "for its chart.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=metrics.NOTE_MAX_LENGTH,
        help_text="Kept with the value and as the reason in the goal's history.",
    )


class MetricValueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key_result = serializers.IntegerField(source="key_result_id")
    value = MeasureField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    previous = MeasureField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        help_text="The key result's current value when this one arrived.",
    )
    at = serializers.DateTimeField()
    note = serializers.CharField()
    by = serializers.CharField(help_text="Who sent it: the token's name or the person's.")


class PushedValueSerializer(MetricValueSerializer):
    became_current = serializers.BooleanField(
        read_only=True,
        help_text="Whether it is now the key result's current value: false for a value older "
        "than one the key result already has.",
    )


class MetricSourceSerializer(serializers.Serializer):
    """A key result's data source, as `PATCH /api/key-results/{id}/` takes and shows it."""

    url = serializers.CharField(
        max_length=URL_MAX_LENGTH,
        help_text="The address Goal Chain reads the value from (https://…, public addresses "
        "only), with a GET.",
    )
    format = serializers.ChoiceField(
        choices=SourceFormat.choices, help_text="What the address answers with."
    )
    path = serializers.CharField(
        max_length=metric_sources.PATH_MAX_LENGTH,
        allow_blank=True,
        help_text="For json, a JSON pointer to the number (RFC 6901, e.g. /data/0/count; empty "
        "for an answer that is just a number); for csv, the name of the column whose last row "
        "holds it.",
    )
    every = serializers.ChoiceField(
        choices=SourceEvery.choices, help_text="How often it is read: hourly or daily."
    )
    last_fetched_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When a value was last read from it."
    )
    last_error = serializers.CharField(
        read_only=True, help_text="Why the last read failed; empty when it worked."
    )
    next_fetch_at = serializers.DateTimeField(read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """A source is given whole, in a PATCH of its key result too: there DRF lets each
        field of a nested object be left out, as it does the key result's own."""
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if field.required and name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


def source_of(key_result: KeyResult) -> dict[str, Any] | None:
    """The key result's data source as the API shows it; None when it has none."""
    try:
        source = key_result.source
    except ObjectDoesNotExist:
        return None
    return dict(MetricSourceSerializer(source).data)
