"""Writes of votes: casting or replacing a vote in the voting phase, checked against the
workshop's voting method (consent, dots or a 1-to-5 score)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from goalchain.compiled import Compiled
from goals.errors import Conflict, DomainError, Forbidden
from goals.models import User
from goals.rules.timeframes import whole_number
from workshops import rules
from workshops.events import emit
from workshops.models import (
    Participant,
    Phase,
    Proposal,
    ProposalStatus,
    Vote,
    VotingMethod,
    Workshop,
)
from workshops.services.common import lock_in_phase


def vote_cast(*, actor: User, proposal: Proposal, value: Any, reason: str = "") -> Vote:
    """Cast or replace a vote; hidden from everyone until the facilitator reveals."""
    with transaction.atomic():
        workshop = lock_in_phase(
            workshop_id=proposal.workshop_id,
            phase=Phase.VOTING,
            message="Votes are cast in the voting phase.",
            shared=True,
        )
        if not _VOTING_SEAT.rows(workshop.pk, actor.pk):  # the seat, locked until commit
            raise Forbidden("Only voters invited to this workshop can vote.")
        if proposal.status != ProposalStatus.OPEN:
            raise Conflict("This proposal was already decided on.")
        text = _check_vote(workshop, proposal, actor, value, reason)
        # The vote as stored: an upsert writes every field it holds, so it is not read back.
        (vote,) = Vote.objects.bulk_create(
            [
                Vote(
                    proposal=proposal,
                    voter=actor,
                    round=workshop.round,
                    value=text,
                    reason=reason.strip(),
                    cast_at=timezone.now(),
                )
            ],
            update_conflicts=True,
            unique_fields=["proposal", "voter", "round"],
            update_fields=["value", "reason", "cast_at"],
        )
        emit(workshop, "votes", voted=_voted_count(workshop))
    return vote


def _check_vote(
    workshop: Workshop, proposal: Proposal, voter: User, value: Any, reason: str
) -> str:
    method = workshop.voting_method
    if method == VotingMethod.CONSENT:
        if value not in rules.CONSENT_VALUES:
            raise DomainError({"value": ["Vote agree, abstain or object."]})
        if value == "object" and not (reason or "").strip():
            raise DomainError({"reason": ["Say why you object, so the team can address it."]})
        return str(value)
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str):
        number = whole_number(value)
    else:
        number = None
    if method == VotingMethod.DOT:
        spent = sum(
            int(v)
            for v in Vote.objects.filter(
                proposal__workshop=workshop, voter=voter, round=workshop.round
            )
            .exclude(proposal=proposal)
            .values_list("value", flat=True)
        )
        left = workshop.dots_per_voter - spent
        if number is None or not 0 <= number <= left:
            raise DomainError(
                {
                    "value": [
                        f"Place 0 to {left} dots ({spent} of {workshop.dots_per_voter} "
                        "are on other proposals)."
                    ]
                }
            )
        return str(number)
    if number is None or not 1 <= number <= 5:
        raise DomainError({"value": ["Vote with a number from 1 to 5."]})
    if number == 1 and not (reason or "").strip():
        raise DomainError(
            {"reason": ["A 1 blocks the proposal: say why, so the team can address it."]}
        )
    return str(number)


def _voted_count(workshop: Workshop) -> int:
    """How many voters voted in the workshop's round (every ballot asks: compiled once)."""
    return _VOTERS.count(workshop.pk, workshop.round)


# Every ballot asks these two, so their SQL is compiled once (goalchain/compiled.py).
_VOTING_SEAT = Compiled(
    lambda workshop_id, user_id: (
        Participant.objects.select_for_update()
        .filter(workshop_id=workshop_id, user_id=user_id, can_vote=True)
        .values("pk")
    )
)
_VOTERS = Compiled(
    lambda workshop_id, round_number: (
        Vote.objects.filter(proposal__workshop_id=workshop_id, round=round_number)
        .values("voter_id")
        .distinct()
    )
)
