"""API shapes of goals and key results, a goal's history of changes and recording that a
goal was agreed."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from goals.api.hot_path import goal_api_dict, key_result_as_dict
from goals.api.serializers.common import DateInWindowField, VersionedSerializer, id_field
from goals.api.serializers.metrics import MetricSourceSerializer, source_of
from goals.models import (
    MEASURE_DIGITS,
    MEASURE_PLACES,
    AgreementWay,
    Level,
    SprintVerdict,
    Status,
)


class KeyResultSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    goal = id_field()
    title = serializers.CharField(max_length=300)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    baseline = serializers.DecimalField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    target = serializers.DecimalField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    current = serializers.DecimalField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        required=False,
        help_text="Defaults to the baseline.",
    )
    owner = id_field(allow_null=True)
    owner_name = serializers.CharField(read_only=True)
    due_on = DateInWindowField(required=False, allow_null=True)
    progress = serializers.IntegerField(read_only=True, help_text="0 to 100")
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required on an agreed goal to add a key result or change its title, unit, "
        "baseline, target or due date; kept in the goal's history.",
    )
    # A field named like Field.source: the metaclass takes declared fields off the class.
    source = MetricSourceSerializer(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        help_text="Where Goal Chain reads its value from, hourly or daily; null for none (send "
        "null to remove it). Shown by the key result endpoints, not in a goal's key_results.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {**key_result_as_dict(instance), "source": source_of(instance)}


class GoalKeyResultSerializer(KeyResultSerializer):
    """A key result inside a goal's answer: its data source is on the key result's own."""

    source = None  # type: ignore[assignment]  # leaves the field out

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return key_result_as_dict(instance)


class GoalSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    product = id_field(help_text="Write once.")
    level = serializers.ChoiceField(choices=Level.choices, help_text="Write once.")
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text="Markdown."
    )
    description_html = serializers.CharField(read_only=True)
    parents = serializers.ListField(child=id_field(), required=False, max_length=50)
    owner = id_field(required=False, allow_null=True)
    owner_name = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    starts_on = DateInWindowField(required=False, allow_null=True)
    ends_on = DateInWindowField(required=False, allow_null=True)
    confidence = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    next_review_on = DateInWindowField(required=False, allow_null=True)
    outcome_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    sprint_verdict = serializers.ChoiceField(
        choices=SprintVerdict.choices,
        read_only=True,
        allow_null=True,
        help_text="Sprint goals: met or not met, given at the sprint's end "
        "(PUT /api/goals/{id}/sprint-verdict/).",
    )
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=2000
    )
    progress = serializers.IntegerField(read_only=True)
    key_results = GoalKeyResultSerializer(many=True, read_only=True)
    health = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return goal_api_dict(instance)


class AgreementInputSerializer(serializers.Serializer):
    """One of two shapes: a closed feedback round everyone supported, or an agreement
    reached elsewhere with who agreed and why."""

    feedback_round = id_field(
        required=False,
        help_text="A closed feedback round on this goal in which everyone asked supported it.",
    )
    agreed_by = serializers.ListField(
        child=id_field(),
        required=False,
        max_length=100,
        help_text="User ids of the product members who agreed, elsewhere than in the app.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Where and why it was agreed (with `agreed_by`).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        by_round, by_record = "feedback_round" in attrs, "agreed_by" in attrs
        if by_round == by_record:
            raise serializers.ValidationError(
                "Send either a closed feedback round (feedback_round), or who agreed and why "
                "(agreed_by and reason); not both, not neither."
            )
        if by_round and "reason" in attrs:
            raise serializers.ValidationError(
                {"reason": ["A reason goes with the people who agreed, not with a feedback round."]}
            )
        return attrs


class GoalChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.IntegerField(source="by_id", allow_null=True)
    by_name = serializers.SerializerMethodField()
    changes = serializers.DictField(child=serializers.ListField())
    reason = serializers.CharField()
    via = serializers.ChoiceField(
        choices=AgreementWay.choices,
        allow_blank=True,
        help_text="How the goal became agreed (or was restored from an export) in this change; "
        "empty for other changes.",
    )

    def get_by_name(self, obj: Any) -> str | None:
        """The person's name; for a change no person made, what made it (a metric token's
        name, "the data source")."""
        return obj.by.name if obj.by else (obj.by_name or None)
