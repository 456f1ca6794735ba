"""Writes about the workshop itself: planning, editing and cancelling it, inviting and
removing participants (and ending the seats of someone leaving a product), and moving it
from one phase to the next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goalchain.queue import enqueue
from goals.emails import send_templated_email
from goals.errors import Conflict, DomainError, Errors
from goals.models import (
    PARENT_LEVELS,
    Goal,
    Level,
    Product,
    ProductMembership,
    ProductRole,
    Status,
    User,
)
from goals.services.notifications import workshop_invited
from goals.services.versioning import VERSION_REQUIRED, check_version, save_versioned
from workshops import rules
from workshops.events import emit
from workshops.models import (
    PHASE_ORDER,
    DecisionRule,
    Participant,
    Phase,
    ProposalStatus,
    Vote,
    VotingMethod,
    Workshop,
    default_rule,
)
from workshops.services.common import phase_move


def workshop_create(
    *,
    actor: User,
    product: Product,
    title: str,
    target_level: str,
    facilitator: User,
    parent_goal: Goal | None = None,
    scheduled_at: datetime | None = None,
    agenda: str = "",
    ground_rules: str = "",
    voting_method: str = VotingMethod.CONSENT,
    decision_rule: str | None = None,
    dots_per_voter: int = 3,
    anonymous: bool = False,
    timeboxes: dict[str, int] | None = None,
) -> Workshop:
    """Plan a workshop whose adopted proposal will hang under `parent_goal`."""
    workshop = Workshop(
        product=product,
        title=(title or "").strip(),
        target_level=target_level,
        parent_goal=parent_goal,
        facilitator=facilitator,
        scheduled_at=scheduled_at,
        agenda=agenda,
        ground_rules=ground_rules,
        voting_method=voting_method,
        decision_rule=decision_rule or default_rule(target_level, voting_method),
        dots_per_voter=dots_per_voter,
        anonymous=anonymous,
        timeboxes=timeboxes or {},
        created_by=actor,
    )
    errors = Errors()
    if target_level not in Level.values:
        errors.add("target_level", f"Choose one of: {', '.join(Level.values)}.")
    else:
        _check_parent_goal(workshop, errors)
    _check_setup(workshop, errors)
    errors.raise_if_any()
    workshop.save()
    return workshop


# What may change before a decision, and what only while the workshop is still planned.
EDITABLE_FIELDS = ("title", "agenda", "ground_rules", "scheduled_at", "facilitator", "timeboxes")
PLANNED_ONLY_FIELDS = ("voting_method", "decision_rule", "dots_per_voter", "anonymous")
PLANNED_ONLY_LABELS = {
    "voting_method": "voting method",
    "decision_rule": "decision rule",
    "dots_per_voter": "dots per voter",
    "anonymous": "anonymity",
}


def workshop_update(
    *, actor: User, workshop: Workshop, data: dict[str, Any], version: int | None
) -> Workshop:
    """Edit a workshop before its decision; how it votes and decides only while planned."""
    if version is None:
        raise DomainError({"version": [VERSION_REQUIRED]})
    with transaction.atomic():
        current = (
            Workshop.objects.select_for_update(of=("self",))
            .select_related("product", "facilitator")
            .get(pk=workshop.pk)
        )
        check_version(current, version)
        if not current.is_undecided:
            raise Conflict(
                {
                    "non_field_errors": [
                        f"This workshop is {current.get_phase_display().lower()}: "
                        "it can no longer be edited."
                    ]
                }
            )
        changed = [
            name
            for name in (*EDITABLE_FIELDS, *PLANNED_ONLY_FIELDS)
            if name in data and data[name] != getattr(current, name)
        ]
        fixed = [name for name in changed if name in PLANNED_ONLY_FIELDS]
        if fixed and current.phase != Phase.PLANNED:
            words = " and ".join(PLANNED_ONLY_LABELS[name] for name in fixed)
            raise Conflict(
                {
                    fixed[0]: [
                        f"The {words} can only change while the workshop is planned; "
                        f"it is {current.get_phase_display().lower()} now."
                    ]
                }
            )
        if not changed:
            return current
        for name in changed:
            setattr(current, name, data[name])
        current.title = (current.title or "").strip()
        current.timeboxes = current.timeboxes or {}
        errors = Errors()
        _check_setup(current, errors)
        errors.raise_if_any()
        save_versioned(
            current, [f"{name}_id" if name == "facilitator" else name for name in changed]
        )
        emit(current, "workshop", action="edited")
    return current


def _check_setup(workshop: Workshop, errors: Errors) -> None:
    """The rules of a workshop's set-up, shared by planning and editing."""
    if not workshop.title:
        errors.add("title", "Give the workshop a title.")
    elif len(workshop.title) > 200:
        errors.add("title", "Keep the title under 200 characters.")
    if workshop.voting_method not in VotingMethod.values:
        errors.add("voting_method", f"Choose one of: {', '.join(VotingMethod.values)}.")
    if workshop.decision_rule not in DecisionRule.values:
        errors.add("decision_rule", f"Choose one of: {', '.join(DecisionRule.values)}.")
    elif workshop.voting_method in VotingMethod.values:
        for name, message in rules.plan_errors(
            workshop.target_level, workshop.voting_method, workshop.decision_rule
        ).items():
            errors.add(name, message)
    if not 1 <= workshop.dots_per_voter <= 20:
        errors.add("dots_per_voter", "Give each voter between 1 and 20 dots.")
    if not isinstance(workshop.timeboxes, dict):
        errors.add("timeboxes", "Timeboxes map a phase to 1–480 minutes.")
    else:
        for phase, minutes in workshop.timeboxes.items():
            if phase not in PHASE_ORDER or not isinstance(minutes, int) or not 1 <= minutes <= 480:
                errors.add("timeboxes", "Timeboxes map a phase to 1–480 minutes.")
                break
    if not ProductMembership.objects.filter(
        product_id=workshop.product_id,
        user=workshop.facilitator,
        role__in=(ProductRole.LEADER, ProductRole.TEAM),
    ).exists():
        errors.add("facilitator", "The facilitator must be a leader or team member here.")


def workshop_cancel(*, actor: User, workshop: Workshop, reason: str) -> Workshop:
    """Call a workshop off before its decision; every participant gets one email saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError({"reason": ["Say why the workshop is cancelled; participants read it."]})
    with transaction.atomic():
        current = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if not current.is_undecided:
            raise Conflict(
                {
                    "phase": [
                        f"This workshop is {current.get_phase_display().lower()}: "
                        "only a workshop before its decision can be cancelled."
                    ]
                }
            )
        current.cancelled_in = current.phase
        current.cancel_reason = reason
        current.cancelled_at = timezone.now()
        current.cancelled_by = actor
        phase_move(
            workshop=current,
            phase=Phase.CANCELLED,
            actor=actor,
            fields=["cancelled_in", "cancel_reason", "cancelled_at", "cancelled_by_id"],
        )
        enqueue("workshops.tasks.send_workshop_cancellation", current.pk)
    return current


def _check_parent_goal(workshop: Workshop, errors: Errors) -> None:
    allowed = PARENT_LEVELS[workshop.target_level]
    parent = workshop.parent_goal
    if not allowed:
        if parent is not None:
            errors.add("parent_goal", "A vision has no parent goal.")
        return
    wanted = " or ".join(Level(level).label.lower() for level in allowed)
    if parent is None:
        errors.add("parent_goal", f"Choose the {wanted} the adopted goal will serve.")
    elif parent.product_id != workshop.product_id:
        errors.add("parent_goal", "The parent goal must belong to this product.")
    elif parent.level not in allowed:
        errors.add(
            "parent_goal", f"A {Level(workshop.target_level).label.lower()} serves a {wanted}."
        )
    elif parent.status == Status.DROPPED:
        errors.add("parent_goal", "That goal was dropped; choose a live one.")


def participant_add(
    *, actor: User, workshop: Workshop, user: User | None, can_vote: bool | None = None
) -> Participant:
    """Invite a product member; stakeholders vote only when invited as voters."""
    membership = (
        ProductMembership.objects.select_related("user")
        .filter(product_id=workshop.product_id, user=user)
        .first()
        if user is not None
        else None
    )
    if membership is None:
        raise DomainError({"email": ["Only members of this product can take part."]})
    if workshop.is_cancelled:
        raise Conflict({"email": ["The workshop was cancelled; nobody joins it any more."]})
    if can_vote is None:
        can_vote = membership.role != ProductRole.STAKEHOLDER
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                workshop=workshop, user=membership.user, can_vote=can_vote
            )
            emit(workshop, "participants")
            workshop_invited(actor=actor, participant=participant)
            enqueue("workshops.tasks.send_workshop_invitation", participant.pk)
    except IntegrityError:
        raise DomainError({"email": ["Already taking part."]}) from None
    return participant


def participant_remove(*, actor: User, participant: Participant) -> None:
    """Take someone out of the room; their access ends with this call."""
    with transaction.atomic():
        _seat_end(participant)


def member_seats_end(*, user_id: int, product_ids: Sequence[int]) -> None:
    """Someone taken off these products leaves their workshops: seats and hidden votes go."""
    with transaction.atomic():
        for seat in Participant.objects.select_related("workshop").filter(
            user_id=user_id, workshop__product_id__in=product_ids
        ):
            _seat_end(seat)


def _seat_end(participant: Participant) -> None:
    workshop = participant.workshop
    # Votes not yet revealed leave with the voter; revealed ones are the room's record.
    Vote.objects.filter(
        proposal__workshop=workshop, voter_id=participant.user_id, round=workshop.round
    ).filter(proposal__workshop__phase__in=(Phase.PLANNED, Phase.DRAFTING, Phase.VOTING)).delete()
    participant.delete()
    emit(workshop, "participants")


def workshop_set_phase(*, actor: User, workshop: Workshop, phase: str) -> Workshop:
    """Move the workshop one phase forward; skipping or going back is refused."""
    if phase not in Phase.values:
        raise DomainError({"phase": [f"Choose one of: {', '.join(Phase.values)}."]})
    if phase == Phase.CANCELLED:
        raise DomainError({"phase": ["Cancel a workshop with its reason, not as a phase move."]})
    with transaction.atomic():
        current = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if current.is_cancelled:
            raise Conflict({"phase": ["The workshop was cancelled; it moves no further."]})
        position = PHASE_ORDER.index(current.phase)
        if PHASE_ORDER.index(phase) != position + 1:
            expected = PHASE_ORDER[position + 1] if position + 1 < len(PHASE_ORDER) else None
            raise Conflict(
                {
                    "phase": [
                        f"The workshop is {current.phase}; it can only move on to {expected}."
                        if expected
                        else "The workshop is closed."
                    ]
                }
            )
        if (
            phase == Phase.VOTING
            and not current.proposals.filter(status=ProposalStatus.OPEN).exists()
        ):
            raise Conflict({"phase": ["Draft at least one proposal before voting."]})
        phase_move(workshop=current, phase=phase, actor=actor)
    return current


def workshop_invitation_send(*, participant_id: int) -> None:
    """Mail a participant their invitation, once."""
    _mail_seat_once(participant_id, template="workshop_invitation", mark="sent_at")


def workshop_cancellation_send(*, workshop_id: int) -> None:
    """Tell each participant once that the workshop is off; a rerun mails only those not told
    yet."""
    seat_ids = Participant.objects.filter(
        workshop_id=workshop_id, cancellation_sent_at__isnull=True
    ).values_list("pk", flat=True)
    for seat_id in list(seat_ids):
        _mail_seat_once(seat_id, template="workshop_cancelled", mark="cancellation_sent_at")


def _mail_seat_once(seat_id: int, *, template: str, mark: str) -> None:
    """Claim the seat, mail its person and set `mark` in one transaction: a job that runs
    again finds the mark set and sends nothing."""
    with transaction.atomic():
        seat = (
            Participant.objects.select_for_update(of=("self",))
            .select_related(
                "workshop__product", "workshop__facilitator", "workshop__cancelled_by", "user"
            )
            .filter(pk=seat_id, **{f"{mark}__isnull": True})
            .first()
        )
        if seat is None:
            return
        send_templated_email(
            to=seat.user.email,
            template=template,
            context={
                "seat": seat,
                "workshop": seat.workshop,
                "path": reverse("workshop-room", args=[seat.workshop_id]),
            },
        )
        setattr(seat, mark, timezone.now())
        seat.save(update_fields=[mark])
