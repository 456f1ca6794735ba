"""API shapes of the feedback loop: review schedules, check-ins, retrospectives, verdicts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goals.models import (
    MAX_ID,
    MEASURE_DIGITS,
    MEASURE_PLACES,
    Cadence,
    CheckIn,
    Level,
    ReviewSchedule,
    SprintVerdict,
)
from goals.rules.schedule import MAX_REMIND_DAYS_BEFORE
from goals.services.check_ins import NOTE_MAX_LENGTH, Value
from goals.services.outcomes import TEXT_MAX_LENGTH
from goals.wording import json_number

MAX_VALUES = 200


class ReviewScheduleSerializer(serializers.Serializer):
    vision = serializers.ChoiceField(choices=Cadence.choices, required=False)
    user = serializers.ChoiceField(choices=Cadence.choices, required=False)
    business = serializers.ChoiceField(choices=Cadence.choices, required=False)
    product = serializers.ChoiceField(choices=Cadence.choices, required=False)
    sprint = serializers.ChoiceField(choices=Cadence.choices, required=False)
    remind_days_before = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_REMIND_DAYS_BEFORE,
        help_text="Owners are reminded this many days before a review.",
    )
    reminder_hour = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=23,
        help_text="The hour (0–23, in the organisation's time zone) reminders go out.",
    )
    time_zone = serializers.CharField(
        read_only=True, help_text="The organisation's; its admins change it there."
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Required to edit: send the version you read; a stale one gets 409 and "
        "changes nothing.",
    )

    def to_representation(self, instance: ReviewSchedule) -> dict[str, Any]:
        return {
            "product_id": instance.product_id,
            **{level: instance.cadence(level) for level in Level.values},
            "remind_days_before": instance.remind_days_before,
            "reminder_hour": instance.reminder_hour,
            "time_zone": instance.product.organization.time_zone,
            "version": instance.version,
        }


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "key_result": {"type": "integer"},
                "value": {"type": "number"},
            },
            "required": ["key_result", "value"],
        },
    }
)
class KeyResultValuesField(serializers.Field):
    """`[{"key_result": id, "value": number}, ...]`; any problem is a plain message."""

    def to_internal_value(self, data: Any) -> list[Value]:
        if not isinstance(data, list):
            raise serializers.ValidationError('Send a list of {"key_result": id, "value": number}.')
        if len(data) > MAX_VALUES:
            raise serializers.ValidationError(f"Send at most {MAX_VALUES} values.")
        values, problems = [], []
        number = serializers.DecimalField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
        for position, item in enumerate(data, start=1):
            if not isinstance(item, dict) or {"key_result", "value"} - item.keys():
                problems.append(f"Item {position}: give a key_result and a value.")
                continue
            key_result, raw = item["key_result"], item["value"]
            if isinstance(key_result, bool) or not isinstance(key_result, int):
                problems.append(f"Item {position}: key_result is the key result's id.")
                continue
            if not 1 <= key_result <= MAX_ID:
                problems.append(f"Item {position}: key result {key_result} is unknown.")
                continue
            if isinstance(raw, bool) or not isinstance(raw, int | float | str):
                problems.append(f"Item {position}: the value must be a number.")
                continue
            try:
                value: Decimal = number.run_validation(raw)
            except serializers.ValidationError as error:
                detail = " ".join(str(m) for m in error.detail)  # type: ignore[union-attr]
                problems.append(f"Item {position}: the value must be a number. {detail}")
                continue
            values.append(Value(key_result, value))
        if problems:
            raise serializers.ValidationError(problems)
        return values

    def to_representation(self, value: Any) -> Any:
        return value


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    goal = serializers.IntegerField(read_only=True)
    values = KeyResultValuesField(
        help_text="A value for each of the goal's key results; each becomes its `current`."
    )
    confidence = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1 (not sure at all) to 5 (certain)."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default=""
    )
    author = serializers.IntegerField(read_only=True, allow_null=True)
    author_name = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    next_review_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The goal's next review, set by this check-in."
    )

    def to_representation(self, instance: CheckIn) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "goal": instance.goal_id,
            "author": instance.author_id,
            "author_name": instance.author.name if instance.author else None,
            "confidence": instance.confidence,
            "note": instance.note,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "next_review_on": instance.next_review_on.isoformat()
            if instance.next_review_on
            else None,
            "values": [
                {
                    "key_result": v.key_result_id,
                    "key_result_title": v.key_result.title,
                    "value": json_number(v.value),
                    "previous": json_number(v.previous),
                }
                for v in instance.values.all()
            ],
        }


class RetrospectiveSerializer(serializers.Serializer):
    goal = serializers.IntegerField(read_only=True, source="goal_id")
    what_happened = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    what_we_learned = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    what_we_change = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    author = serializers.IntegerField(read_only=True, source="author_id", allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Required to edit: send the version you read; a stale one gets 409 and "
        "changes nothing.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["version"] = instance.version
        return data


class SprintVerdictSerializer(serializers.Serializer):
    sprint_verdict = serializers.ChoiceField(choices=SprintVerdict.choices)
    version = serializers.IntegerField(
        help_text="The goal's version you saw: two verdicts given at once do not overwrite "
        "each other silently."
    )
    close = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also close the sprint goal in the same step: achieved when met, missed "
        "when not (needs `outcome_note`).",
    )
    outcome_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
