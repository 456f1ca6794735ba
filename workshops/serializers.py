"""API shapes of the workshop room."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goals.api.serializers.common import (
    DateInWindowField,
    DateTimeInWindowField,
    ForeignKeyField,
)
from goals.models import MEASURE_DIGITS, MEASURE_PLACES, Level
from goals.wording import json_number
from workshops.models import (
    DecisionRule,
    Phase,
    ProposalStatus,
    VotingMethod,
    Workshop,
)


class DraftKeyResultsField(serializers.ListField):
    """A proposal's draft key results: shown as kept, except baseline and target, which are
    kept as exact decimal strings and shown as JSON numbers as everywhere else."""

    def to_representation(self, data: list[Any]) -> list[dict[str, Any]]:  # type: ignore[override]
        return [
            {
                **draft,
                "baseline": _number(draft.get("baseline")),
                "target": _number(draft.get("target")),
            }
            for draft in data
            if isinstance(draft, dict)
        ]


def _number(value: Any) -> float | int | None:
    return None if value is None else json_number(Decimal(str(value)))


class WorkshopSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = ForeignKeyField()
    title = serializers.CharField(max_length=200)
    target_level = serializers.ChoiceField(choices=Level.choices)
    parent_goal = ForeignKeyField(required=False, allow_null=True)
    facilitator = ForeignKeyField(required=False, help_text="Defaults to you.")
    facilitator_name = serializers.CharField(read_only=True, source="facilitator.name")
    scheduled_at = DateTimeInWindowField(required=False, allow_null=True, format=None)
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    ground_rules = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    voting_method = serializers.ChoiceField(
        choices=VotingMethod.choices, default=VotingMethod.CONSENT
    )
    decision_rule = serializers.ChoiceField(
        choices=DecisionRule.choices,
        required=False,
        help_text="Vision, user and business goals: unanimous only. Otherwise defaults to "
        "consent (majority under dot voting, which cannot decide by consent).",
    )
    dots_per_voter = serializers.IntegerField(required=False, default=3, min_value=1, max_value=20)
    anonymous = serializers.BooleanField(required=False, default=False)
    timeboxes = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=480), required=False
    )
    phase = serializers.ChoiceField(choices=Phase.choices, read_only=True)
    phase_started_at = serializers.DateTimeField(read_only=True, format=None)
    phase_ends_at = serializers.SerializerMethodField()
    round = serializers.IntegerField(read_only=True)
    not_held = serializers.SerializerMethodField(
        help_text="Still planned more than a day after its scheduled time."
    )
    cancel_reason = serializers.CharField(read_only=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True, format=None)
    cancelled_by = serializers.IntegerField(
        read_only=True, allow_null=True, source="cancelled_by_id"
    )
    version = serializers.IntegerField(required=False, min_value=1)
    adopted_goals = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True, format=None)

    @extend_schema_field(serializers.DateTimeField(read_only=True, allow_null=True))
    def get_phase_ends_at(self, workshop: Workshop) -> datetime | None:
        minutes = (workshop.timeboxes or {}).get(workshop.phase)
        return workshop.phase_started_at + timedelta(minutes=minutes) if minutes else None

    def get_not_held(self, workshop: Workshop) -> bool:
        return workshop.not_held(timezone.now())

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_adopted_goals(self, workshop: Workshop) -> list[int]:
        return sorted(d.goal_id for d in workshop.decisions.all() if d.passed and d.goal_id)


class WorkshopUpdateSerializer(serializers.Serializer):
    """What an edit may change: the set-up any time before a decision, how the room votes
    and decides only while the workshop is planned. `version` is required."""

    title = serializers.CharField(max_length=200)
    facilitator = serializers.IntegerField()
    scheduled_at = DateTimeInWindowField(allow_null=True)
    agenda = serializers.CharField(allow_blank=True, max_length=20000)
    ground_rules = serializers.CharField(allow_blank=True, max_length=5000)
    timeboxes = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=480))
    voting_method = serializers.ChoiceField(choices=VotingMethod.choices)
    decision_rule = serializers.ChoiceField(choices=DecisionRule.choices)
    dots_per_voter = serializers.IntegerField(min_value=1, max_value=20)
    anonymous = serializers.BooleanField()
    version = serializers.IntegerField(min_value=1)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why it is called off; every participant reads it."
    )


class ParticipantInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    can_vote = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Defaults to true for leaders and team members, false for stakeholders.",
    )


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    user = serializers.IntegerField(read_only=True, source="user_id")
    email = serializers.EmailField(read_only=True, source="user.email")
    name = serializers.CharField(read_only=True, source="user.name")
    can_vote = serializers.BooleanField(read_only=True)


class PhaseSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices)


class DraftKeyResultSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    baseline = serializers.DecimalField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    target = serializers.DecimalField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    owner = serializers.IntegerField(required=False, allow_null=True)
    due_on = DateInWindowField(required=False, allow_null=True)


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    workshop = serializers.IntegerField(read_only=True, source="workshop_id")
    author = serializers.IntegerField(read_only=True, allow_null=True, source="author_id")
    author_name = serializers.CharField(read_only=True, allow_null=True, source="author.name")
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    description_html = serializers.CharField(read_only=True)
    starts_on = DateInWindowField(required=False, allow_null=True)
    ends_on = DateInWindowField(required=False, allow_null=True)
    key_results = DraftKeyResultsField(
        child=DraftKeyResultSerializer(), required=False, max_length=10
    )
    status = serializers.ChoiceField(choices=ProposalStatus.choices, read_only=True)
    version = serializers.IntegerField(required=False, min_value=1)
    created_at = serializers.DateTimeField(read_only=True, format=None)
    updated_at = serializers.DateTimeField(read_only=True, format=None)


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    by = serializers.IntegerField(source="by_id", allow_null=True)
    at = serializers.DateTimeField()
    snapshot = serializers.DictField()
    changes = serializers.DictField()


class VoteInputSerializer(serializers.Serializer):
    value = serializers.JSONField(
        help_text="consent: agree | abstain | object; dot: 0..dots left; score, fist_of_five: 1..5"
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class VoteSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    value = serializers.CharField(help_text="Your own vote; nobody else's is shown before reveal.")
    reason = serializers.CharField()
    round = serializers.IntegerField()


class DecideSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workshop = serializers.IntegerField(source="workshop_id")
    proposal = serializers.IntegerField(source="proposal_id")
    round = serializers.IntegerField()
    rule = serializers.CharField()
    voting_method = serializers.CharField()
    passed = serializers.BooleanField()
    reason = serializers.CharField()
    tallies = serializers.DictField()
    objections = serializers.ListField(child=serializers.DictField())
    goal = serializers.IntegerField(source="goal_id", allow_null=True)
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)
    decided_at = serializers.DateTimeField()
