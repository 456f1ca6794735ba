"""API shapes of the feedback loop: review schedules, check-ins, retrospectives, verdicts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from goals.api.serializers.common import MeasureField, moved_last
from goals.models import (
    MAX_ID,
    MEASURE_DIGITS,
    MEASURE_PLACES,
    Cadence,
    CheckIn,
    ReviewSchedule,
    SprintVerdict,
)
from goals.rules.schedule import MAX_REMIND_DAYS_BEFORE
from goals.services.check_ins import NOTE_MAX_LENGTH, Value
from goals.services.outcomes import TEXT_MAX_LENGTH

MAX_VALUES = 200


class CadenceField(serializers.ChoiceField):
    """How often goals of the level named by the field are reviewed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Cadence.choices, required=False, **kwargs)

    def get_attribute(self, instance: ReviewSchedule) -> str:
        return instance.cadence(cast(str, self.field_name))  # named once bound


# `product_id` has always been in the answer without being documented; it stays so.
@extend_schema_serializer(exclude_fields=["product_id"])
class ReviewScheduleSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(read_only=True)
    vision = CadenceField()
    user = CadenceField()
    business = CadenceField()
    product = CadenceField()
    sprint = CadenceField()
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
        read_only=True,
        source="product.organization.time_zone",
        help_text="The organisation's; its admins change it there.",
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Required to edit: send the version you read; a stale one gets 409 and "
        "changes nothing.",
    )


class CheckInValueSerializer(serializers.Serializer):
    """A value given in a check-in, as `CheckInSerializer` shows it."""

    key_result = serializers.IntegerField(source="key_result_id")
    key_result_title = serializers.CharField(source="key_result.title")
    value = MeasureField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    previous = MeasureField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)


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

    def to_representation(self, value: Any) -> list[dict[str, Any]]:
        """The check-in's values (a related manager), each with its key result's title and
        the value before."""
        shape = CheckInValueSerializer()
        return [shape.to_representation(item) for item in value.all()]


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    goal = serializers.IntegerField(read_only=True, source="goal_id")
    values = KeyResultValuesField(
        help_text="A value for each of the goal's key results; each becomes its `current`."
    )
    confidence = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1 (not sure at all) to 5 (certain)."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default=""
    )
    author = serializers.IntegerField(read_only=True, allow_null=True, source="author_id")
    author_name = serializers.CharField(read_only=True, allow_null=True, source="author.name")
    created_at = serializers.DateTimeField(read_only=True)
    next_review_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The goal's next review, set by this check-in."
    )

    def to_representation(self, instance: CheckIn) -> dict[str, Any]:
        data = super().to_representation(instance)
        return moved_last(data, "confidence", "note", "created_at", "next_review_on", "values")


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
