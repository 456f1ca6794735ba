"""API shapes of the workshop room."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from goals.api.serializers.common import DateInWindowField, DateTimeInWindowField
from goals.models import MEASURE_DIGITS, MEASURE_PLACES, Level
from goals.wording import json_number
from workshops.models import (
    DecisionRule,
    Phase,
    ProposalStatus,
    VotingMethod,
)


def draft_key_results(drafts: list[Any]) -> list[dict[str, Any]]:
    """A proposal's draft key results as the API shows them: baseline and target as JSON
    numbers, as everywhere else (they are kept as exact decimal strings)."""
    return [
        {
            **draft,
            "baseline": _number(draft.get("baseline")),
            "target": _number(draft.get("target")),
        }
        for draft in drafts
        if isinstance(draft, dict)
    ]


def _number(value: Any) -> float | int | None:
    return None if value is None else json_number(Decimal(str(value)))


class WorkshopSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    target_level = serializers.ChoiceField(choices=Level.choices)
    parent_goal = serializers.IntegerField(required=False, allow_null=True)
    facilitator = serializers.IntegerField(required=False, help_text="Defaults to you.")
    facilitator_name = serializers.CharField(read_only=True)
    scheduled_at = DateTimeInWindowField(required=False, allow_null=True)
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
    phase_started_at = serializers.DateTimeField(read_only=True)
    phase_ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    round = serializers.IntegerField(read_only=True)
    not_held = serializers.BooleanField(
        read_only=True, help_text="Still planned more than a day after its scheduled time."
    )
    cancel_reason = serializers.CharField(read_only=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_by = serializers.IntegerField(read_only=True, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1)
    adopted_goals = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        minutes = (instance.timeboxes or {}).get(instance.phase)
        ends = instance.phase_started_at + timedelta(minutes=minutes) if minutes else None
        return {
            "id": instance.pk,
            "product": instance.product_id,
            "title": instance.title,
            "target_level": instance.target_level,
            "parent_goal": instance.parent_goal_id,
            "facilitator": instance.facilitator_id,
            "facilitator_name": instance.facilitator.name,
            "scheduled_at": instance.scheduled_at,
            "agenda": instance.agenda,
            "ground_rules": instance.ground_rules,
            "voting_method": instance.voting_method,
            "decision_rule": instance.decision_rule,
            "dots_per_voter": instance.dots_per_voter,
            "anonymous": instance.anonymous,
            "timeboxes": instance.timeboxes,
            "phase": instance.phase,
            "phase_started_at": instance.phase_started_at,
            "phase_ends_at": ends,
            "round": instance.round,
            "not_held": instance.not_held(timezone.now()),
            "cancel_reason": instance.cancel_reason,
            "cancelled_at": instance.cancelled_at,
            "cancelled_by": instance.cancelled_by_id,
            "version": instance.version,
            "adopted_goals": sorted(
                d.goal_id for d in instance.decisions.all() if d.passed and d.goal_id
            ),
            "created_at": instance.created_at,
        }


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
    user = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    name = serializers.CharField(read_only=True)
    can_vote = serializers.BooleanField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "user": instance.user_id,
            "email": instance.user.email,
            "name": instance.user.name,
            "can_vote": instance.can_vote,
        }


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
    workshop = serializers.IntegerField(read_only=True)
    author = serializers.IntegerField(read_only=True, allow_null=True)
    author_name = serializers.CharField(read_only=True, allow_null=True)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    description_html = serializers.CharField(read_only=True)
    starts_on = DateInWindowField(required=False, allow_null=True)
    ends_on = DateInWindowField(required=False, allow_null=True)
    key_results = serializers.ListField(
        child=DraftKeyResultSerializer(), required=False, max_length=10
    )
    status = serializers.ChoiceField(choices=ProposalStatus.choices, read_only=True)
    version = serializers.IntegerField(required=False, min_value=1)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "workshop": instance.workshop_id,
            "author": instance.author_id,
            "author_name": instance.author.name if instance.author else None,
            "title": instance.title,
            "description": instance.description,
            "description_html": instance.description_html,
            "starts_on": instance.starts_on.isoformat() if instance.starts_on else None,
            "ends_on": instance.ends_on.isoformat() if instance.ends_on else None,
            "key_results": draft_key_results(instance.key_results),
            "status": instance.status,
            "version": instance.version,
            "created_at": instance.created_at,
            "updated_at": instance.updated_at,
        }


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
