"""Writes of votes: casting or replacing a vote in the voting phase, checked against the
workshop's voting method (consent, dots or a 1-to-5 score)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from goalchain.compiled import Compiled
from goals.errors import Conflict, DomainError, Forbidden, NotFound
from goals.models import User
from goals.rules.timeframes import whole_number
from workshops import rules
from workshops.events import announce, emit
from workshops.models import (
    Participant,
    Phase,
    Proposal,
    ProposalStatus,
    Vote,
    VotingMethod,
    Workshop,
    WorkshopEvent,
)
from workshops.services.common import lock_in_phase

PHASE_MESSAGE = "Votes are cast in the voting phase."
SEAT_MESSAGE = "Only voters invited to this workshop can vote."
DECIDED_MESSAGE = "This proposal was already decided on."


def vote_cast(*, actor: User, proposal: Proposal, value: Any, reason: str = "") -> Vote:
    """Cast or replace a vote; hidden from everyone until the facilitator reveals.

    On PostgreSQL every ballot but dots is one statement (_CAST): in a vote storm the
    round trips of a locked transaction were most of a ballot's cost. Dots are checked
    against the voter's other ballots, so they are cast in a transaction holding the seat.
    """
    if connection.vendor == "postgresql":
        method = proposal.workshop.voting_method  # fixed once the workshop leaves its plan
        if method != VotingMethod.DOT:
            vote = _cast_at_once(actor, proposal, method, value, reason)
            if vote is not None:
                return vote
    with transaction.atomic():
        workshop = lock_in_phase(
            workshop_id=proposal.workshop_id, phase=Phase.VOTING, message=PHASE_MESSAGE, shared=True
        )
        if not _VOTING_SEAT.rows(workshop.pk, actor.pk):  # the seat, locked until commit
            raise Forbidden(SEAT_MESSAGE)
        if proposal.status != ProposalStatus.OPEN:
            raise Conflict(DECIDED_MESSAGE)
        if workshop.voting_method == VotingMethod.DOT:
            text = _checked_dots(workshop, proposal, actor, value)
        else:
            text = _checked_value(workshop.voting_method, value, reason)
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


def _cast_at_once(
    actor: User, proposal: Proposal, method: str, value: Any, reason: str
) -> Vote | None:
    """The ballot as one statement, with the refusals of the locked transaction in its order:
    phase, seat, proposal, then the value. None when the workshop's voting method is no
    longer `method` (changed while planned, as the ballot came in): the caller casts it
    in the locked transaction, which reads the method again."""
    reason = reason.strip()
    invalid: DomainError | None = None
    try:
        text = _checked_value(method, value, reason)
    except DomainError as error:
        text, invalid = "", error
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _CAST,
            {
                "workshop": proposal.workshop_id,
                "proposal": proposal.pk,
                "voter": actor.pk,
                "method": method,
                "write": invalid is None,
                "value": text,
                "reason": reason,
                "now": now,
                "voting": Phase.VOTING,
                "open": ProposalStatus.OPEN,
            },
        )
        found = cursor.fetchone()
    if found is None:  # the workshop was deleted as the ballot came in
        raise NotFound()
    phase, current_method, seated, status, vote_id, round_number, event_id = found
    if phase != Phase.VOTING:
        raise Conflict({"phase": [PHASE_MESSAGE]})
    if not seated:
        raise Forbidden(SEAT_MESSAGE)
    if status != ProposalStatus.OPEN:
        raise Conflict(DECIDED_MESSAGE)
    if current_method != method:
        return None
    if invalid is not None:
        raise invalid
    announce(proposal.workshop_id, event_id)
    return Vote(
        pk=vote_id,
        proposal_id=proposal.pk,
        voter_id=actor.pk,
        round=round_number,
        value=text,
        reason=reason,
        cast_at=now,
    )


def _checked_value(method: str, value: Any, reason: str) -> str:
    """The vote as stored, for any method but dots, or the reason it is refused."""
    if method == VotingMethod.CONSENT:
        if value not in rules.CONSENT_VALUES:
            raise DomainError({"value": ["Vote agree, abstain or object."]})
        if value == "object" and not (reason or "").strip():
            raise DomainError({"reason": ["Say why you object, so the team can address it."]})
        return str(value)
    number = _whole(value)
    if number is None or not 1 <= number <= 5:
        raise DomainError({"value": ["Vote with a number from 1 to 5."]})
    if number == 1 and not (reason or "").strip():
        raise DomainError(
            {"reason": ["A 1 blocks the proposal: say why, so the team can address it."]}
        )
    return str(number)


def _checked_dots(workshop: Workshop, proposal: Proposal, voter: User, value: Any) -> str:
    """The dots as stored, within what the voter's other ballots of the round leave."""
    spent = sum(
        int(v)
        for v in Vote.objects.filter(proposal__workshop=workshop, voter=voter, round=workshop.round)
        .exclude(proposal=proposal)
        .values_list("value", flat=True)
    )
    left = workshop.dots_per_voter - spent
    number = _whole(value)
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


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return whole_number(value)
    return None


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

# A ballot on PostgreSQL, dots apart (_cast_at_once): the workshop held in its phase
# (FOR SHARE, as lock_in_phase holds it) and the seat locked, in that order, as the locked
# transaction takes them; the vote upserted and the room's event recorded with the count of
# voters, only when every check passes and `write` says the value is valid. It always
# answers what the refusals need. "voted" counts the others and this voter: the statement
# does not see the vote it writes.
_CAST = f"""
WITH w AS MATERIALIZED (
    SELECT id, phase, voting_method, round FROM {Workshop._meta.db_table}
    WHERE id = %(workshop)s FOR SHARE
), seat AS MATERIALIZED (
    SELECT id FROM {Participant._meta.db_table}
    WHERE workshop_id = %(workshop)s AND user_id = %(voter)s AND can_vote FOR UPDATE
), proposal AS MATERIALIZED (
    SELECT status FROM {Proposal._meta.db_table} WHERE id = %(proposal)s
), ok AS MATERIALIZED (
    SELECT w.id, w.round FROM w, proposal
    WHERE %(write)s AND w.phase = %(voting)s AND w.voting_method = %(method)s
      AND EXISTS (SELECT 1 FROM seat) AND proposal.status = %(open)s
), cast_vote AS (
    INSERT INTO {Vote._meta.db_table} (proposal_id, voter_id, round, value, reason, cast_at)
    SELECT %(proposal)s, %(voter)s, ok.round, %(value)s, %(reason)s, %(now)s FROM ok
    ON CONFLICT (proposal_id, voter_id, round) DO UPDATE
        SET value = EXCLUDED.value, reason = EXCLUDED.reason, cast_at = EXCLUDED.cast_at
    RETURNING id, round
), event AS (
    INSERT INTO {WorkshopEvent._meta.db_table} (workshop_id, kind, data, at)
    SELECT ok.id, 'votes', jsonb_build_object('voted', 1 + (
        SELECT COUNT(DISTINCT vote.voter_id) FROM {Vote._meta.db_table} vote
        JOIN {Proposal._meta.db_table} p ON p.id = vote.proposal_id
        WHERE p.workshop_id = ok.id AND vote.round = ok.round AND vote.voter_id <> %(voter)s
    )), %(now)s
    FROM ok, cast_vote
    RETURNING id
)
SELECT w.phase, w.voting_method, EXISTS (SELECT 1 FROM seat), (SELECT status FROM proposal),
    (SELECT id FROM cast_vote), (SELECT round FROM cast_vote), (SELECT id FROM event)
FROM w
"""  # table names come from the models, values are parameters
