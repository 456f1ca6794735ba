"""Writes of the workshop room: set-up, phases, proposals, votes and decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from goals.errors import Conflict, DomainError, Errors, Forbidden
from goals.markdown import render_markdown
from goals.models import (
    MEASURE_LIMIT,
    PARENT_LEVELS,
    Goal,
    Level,
    Product,
    ProductMembership,
    ProductRole,
    Status,
    User,
)
from goals.rules import (
    EARLIEST_DAY,
    LATEST_DAY,
    in_date_window,
    timeframe_errors,
    whole_number,
)
from goals.services import notifications
from goals.services.agreement import goal_agreed_by_decision
from goals.services.goals import goal_create
from goals.services.key_results import key_result_create
from goals.services.versioning import VERSION_REQUIRED, check_version, save_versioned
from workshops import rules
from workshops.events import emit
from workshops.models import (
    PHASE_ORDER,
    Decision,
    DecisionRule,
    Participant,
    Phase,
    PhaseChange,
    Proposal,
    ProposalRevision,
    ProposalStatus,
    Vote,
    VotingMethod,
    Workshop,
    default_rule,
)

PROPOSAL_FIELDS = ("title", "description", "starts_on", "ends_on", "key_results")
MAX_KEY_RESULTS = 10


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
        _move(
            current,
            Phase.CANCELLED,
            actor,
            ["cancelled_in", "cancel_reason", "cancelled_at", "cancelled_by_id"],
        )
        from workshops.tasks import send_workshop_cancellation

        transaction.on_commit(lambda: send_workshop_cancellation.delay(current.pk))
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
            notifications.workshop_invited(actor=actor, participant=participant)
            from workshops.tasks import send_workshop_invitation

            transaction.on_commit(lambda: send_workshop_invitation.delay(participant.pk))
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
        _move(current, phase, actor)
    return current


def _move(workshop: Workshop, phase: str, actor: User, fields: Sequence[str] = ()) -> None:
    PhaseChange.objects.create(
        workshop=workshop, from_phase=workshop.phase, to_phase=phase, round=workshop.round, by=actor
    )
    workshop.phase = phase
    workshop.phase_started_at = timezone.now()
    save_versioned(workshop, ["phase", "phase_started_at", *fields])
    emit(workshop, "phase", phase=phase, round=workshop.round)


def proposal_check(*, workshop: Workshop, data: dict[str, Any]) -> dict[str, list[str]]:
    """Check a proposal against the target level's chain rules: the errors by field. Advice
    (the timeframe's among it) comes from the goal-quality check every goal form uses."""
    errors = Errors()
    _check_proposal_fields(workshop, data, errors)
    return errors.by_field


def proposal_create(
    *,
    actor: User,
    workshop: Workshop,
    title: str,
    description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    key_results: list[dict[str, Any]] | None = None,
) -> Proposal:
    """Draft a proposal in the drafting phase; it starts its revision history."""
    data = {
        "title": title,
        "description": description,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "key_results": key_results or [],
    }
    with transaction.atomic():
        locked = _lock_in_phase(
            workshop, Phase.DRAFTING, "Proposals are drafted in the drafting phase."
        )
        errors = Errors()
        data["key_results"] = _check_proposal_fields(locked, data, errors)
        errors.raise_if_any()
        proposal = Proposal.objects.create(
            workshop=locked,
            author=actor,
            title=title.strip(),
            description=description,
            description_html=render_markdown(description),
            starts_on=starts_on,
            ends_on=ends_on,
            key_results=data["key_results"],
        )
        _revise(proposal, actor, changes={f: [None, v] for f, v in _snapshot(proposal).items()})
        emit(locked, "proposal", proposal=proposal.pk, action="created")
    return proposal


def proposal_update(
    *, actor: User, proposal: Proposal, data: dict[str, Any], version: int | None = None
) -> Proposal:
    """Amend a proposal; a stale version is refused (409) so nobody's text is lost."""
    with transaction.atomic():
        _lock_in_phase(
            proposal.workshop, Phase.DRAFTING, "Proposals can be amended in the drafting phase."
        )
        current = (
            Proposal.objects.select_for_update().select_related("workshop").get(pk=proposal.pk)
        )
        check_version(current, version)
        if current.status != ProposalStatus.OPEN:
            raise Conflict("This proposal was already decided on.")
        before = _snapshot(current)
        merged = {f: data[f] if f in data else getattr(current, f) for f in PROPOSAL_FIELDS}
        errors = Errors()
        merged["key_results"] = _check_proposal_fields(current.workshop, merged, errors)
        errors.raise_if_any()
        for field in PROPOSAL_FIELDS:
            setattr(current, field, merged[field])
        current.title = str(merged["title"]).strip()
        after = _snapshot(current)
        changes = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
        if not changes:
            return current
        current.description_html = render_markdown(current.description)
        save_versioned(current, [*PROPOSAL_FIELDS, "description_html"])
        _revise(current, actor, changes=changes)
        emit(current.workshop, "proposal", proposal=current.pk, action="amended")
    return current


def _lock_in_phase(
    workshop: Workshop, phase: str, message: str, *, shared: bool = False
) -> Workshop:
    """Hold the workshop in `phase` until commit: a phase change waits for this write.

    Votes take a shared lock so they run side by side; phase moves take the exclusive one.
    """
    if shared and connection.vendor == "postgresql":
        rows = Workshop.objects.raw(
            f"SELECT * FROM {Workshop._meta.db_table} WHERE id = %s FOR SHARE", [workshop.pk]
        )
        locked = next(iter(rows))
    else:
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.phase != phase:
        raise Conflict({"phase": [message]})
    return locked


def _check_proposal_fields(
    workshop: Workshop, data: dict[str, Any], errors: Errors
) -> list[dict[str, Any]]:
    """Field rules for a proposal; returns the cleaned draft key results."""
    title = (data.get("title") or "").strip()
    if not title:
        errors.add("title", "Give the proposal a title.")
    elif len(title) > 300:
        errors.add("title", "Keep the title under 300 characters.")
    for message in timeframe_errors(
        workshop.target_level, data.get("starts_on"), data.get("ends_on")
    ):
        errors.add("ends_on", message)
    return _clean_key_results(workshop, data.get("key_results") or [], errors)


def _clean_key_results(workshop: Workshop, drafts: Any, errors: Errors) -> list[dict[str, Any]]:
    if not isinstance(drafts, list) or len(drafts) > MAX_KEY_RESULTS:
        errors.add("key_results", f"Give a list of up to {MAX_KEY_RESULTS} key results.")
        return []
    cleaned = []
    member_ids = set(
        ProductMembership.objects.filter(product_id=workshop.product_id).values_list(
            "user_id", flat=True
        )
    )
    for number, draft in enumerate(drafts, start=1):
        if not isinstance(draft, dict):
            errors.add("key_results", f"Key result {number}: give title, baseline and target.")
            continue
        title = str(draft.get("title") or "").strip()
        baseline, target = _decimal(draft.get("baseline")), _decimal(draft.get("target"))
        owner = draft.get("owner")
        # Named by its title once it has one, else by its place among the rows of the form.
        name = f"“{title}”" if title and len(title) <= 300 else f"Key result {number}"
        if not title or len(title) > 300:
            errors.add("key_results", f"{name}: name what you will measure.")
        if baseline is None or target is None:
            errors.add("key_results", f"{name}: baseline and target are numbers.")
        elif baseline == target:
            errors.add("key_results", f"{name}: the target must differ from the baseline.")
        if owner is not None and (not isinstance(owner, int) or owner not in member_ids):
            errors.add("key_results", f"{name}: the owner must be a product member.")
        try:
            due_on = _draft_day(draft.get("due_on"))
        except ValueError:
            due_on = None
            errors.add(
                "key_results",
                f"{name}: give the due date as a day between "
                f"{EARLIEST_DAY.year} and {LATEST_DAY.year}.",
            )
        cleaned.append(
            {
                "title": title,
                "unit": str(draft.get("unit") or "")[:40],
                "baseline": str(baseline) if baseline is not None else None,
                "target": str(target) if target is not None else None,
                "owner": owner,
                "due_on": due_on.isoformat() if due_on else None,
            }
        )
    return cleaned


def _draft_day(value: Any) -> date | None:
    """A draft key result's due date, typed or sent as text (None if none); ValueError if
    it is not a day in the window every date keeps to."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str):
        day = datetime.strptime(value, "%Y-%m-%d").date()
    else:
        raise ValueError(value)
    if not in_date_window(day):
        raise ValueError(value)
    return day


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and abs(number) < MEASURE_LIMIT else None


def _snapshot(proposal: Proposal) -> dict[str, Any]:
    return {
        "title": proposal.title,
        "description": proposal.description,
        "starts_on": proposal.starts_on.isoformat() if proposal.starts_on else None,
        "ends_on": proposal.ends_on.isoformat() if proposal.ends_on else None,
        "key_results": proposal.key_results,
    }


def _revise(proposal: Proposal, actor: User, *, changes: dict[str, Any]) -> None:
    number = proposal.revisions.count() + 1
    ProposalRevision.objects.create(
        proposal=proposal, number=number, by=actor, snapshot=_snapshot(proposal), changes=changes
    )


def vote_cast(*, actor: User, proposal: Proposal, value: Any, reason: str = "") -> Vote:
    """Cast or replace a vote; hidden from everyone until the facilitator reveals."""
    with transaction.atomic():
        workshop = _lock_in_phase(
            proposal.workshop, Phase.VOTING, "Votes are cast in the voting phase.", shared=True
        )
        seat = (
            Participant.objects.select_for_update()
            .filter(workshop=workshop, user=actor, can_vote=True)
            .first()
        )
        if seat is None:
            raise Forbidden("Only voters invited to this workshop can vote.")
        if proposal.status != ProposalStatus.OPEN:
            raise Conflict("This proposal was already decided on.")
        text = _check_vote(workshop, proposal, actor, value, reason)
        Vote.objects.bulk_create(
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
    return Vote.objects.get(proposal=proposal, voter=actor, round=workshop.round)


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
    return (
        Vote.objects.filter(proposal__workshop=workshop, round=workshop.round)
        .values("voter_id")
        .distinct()
        .count()
    )


def workshop_decide(*, actor: User, workshop: Workshop, proposal: Proposal) -> Decision:
    """Apply the decision rule to the revealed votes; a pass adopts the proposal as a goal."""
    from workshops.selectors import proposal_tallies

    with transaction.atomic():
        current = (
            Workshop.objects.select_for_update(of=("self",))
            .select_related("parent_goal")
            .get(pk=workshop.pk)
        )
        if current.phase not in (Phase.REVEALED, Phase.DECIDED):
            raise Conflict({"phase": ["Reveal the votes before deciding."]})
        if proposal.workshop_id != current.pk:
            raise DomainError({"proposal": ["That proposal is not part of this workshop."]})
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.OPEN:
            raise Conflict({"proposal": ["This proposal was already decided on."]})
        tallies = proposal_tallies(current)
        _check_decidable(current, proposal, tallies)
        count = tallies[proposal.pk]
        passed, reason = rules.decide(current.decision_rule, count)
        decision = Decision(
            workshop=current,
            proposal=proposal,
            round=current.round,
            rule=current.decision_rule,
            voting_method=current.voting_method,
            passed=passed,
            reason=reason,
            tallies=count.as_dict(),
            objections=_objections(current, count),
            decided_by=actor,
        )
        if passed:
            decision.goal = _adopt(actor, current, proposal)
            proposal.status = ProposalStatus.ADOPTED
            proposal.save(update_fields=["status"])
            decision.save()
            notifications.decision_made(decision=decision)
            if current.phase == Phase.REVEALED:
                _move(current, Phase.DECIDED, actor)
            emit(current, "decision", proposal=proposal.pk, passed=True, goal=decision.goal_id)
            return decision
    # A failed decision is kept on record too, and told to the room.
    with transaction.atomic():
        decision.save()
        notifications.decision_made(decision=decision)
        emit(current, "decision", proposal=proposal.pk, passed=False)
    raise Conflict({"non_field_errors": [reason]})


def _check_decidable(
    workshop: Workshop, proposal: Proposal, tallies: dict[int, rules.Tally]
) -> None:
    """Refuse a decision that would not follow the votes: a pair planned before it was
    refused, or a proposal ranked below another of the round."""
    refused = rules.plan_errors(
        workshop.target_level, workshop.voting_method, workshop.decision_rule
    )
    if refused:
        raise Conflict({"non_field_errors": [*refused.values()]})
    ahead = rules.ahead_of(workshop.voting_method, tallies, proposal.pk)
    if ahead is None:
        return
    leader = Proposal.objects.get(pk=ahead)
    method = workshop.voting_method
    raise Conflict(
        {
            "proposal": [
                f"“{leader.title}” is ahead of “{proposal.title}” "
                f"({rules.rank_text(method, tallies[ahead])} to "
                f"{rules.rank_text(method, tallies[proposal.pk])}): a proposal ranked lower "
                "cannot be adopted over it. Start a new round to vote on it again."
            ]
        }
    )


def _objections(workshop: Workshop, count: rules.Tally) -> list[dict[str, Any]]:
    from workshops.selectors import objections_shown

    names = {
        user.pk: user.name
        for user in User.objects.filter(pk__in=[o["voter"] for o in count.objections])
    }
    return objections_shown(workshop, count, names)


def _adopt(actor: User, workshop: Workshop, proposal: Proposal) -> Goal:
    members = set(
        ProductMembership.objects.filter(product_id=workshop.product_id).values_list(
            "user_id", flat=True
        )
    )
    author = proposal.author if proposal.author_id in members else None
    try:
        # Created as a draft with its key results, then agreed by the decision: agreement
        # is granted by one of its three ways, each saying how in the goal's history.
        goal = goal_create(
            actor=actor,
            product=workshop.product,
            level=workshop.target_level,
            title=proposal.title,
            description=proposal.description,
            owner=author,
            starts_on=proposal.starts_on,
            ends_on=proposal.ends_on,
            parents=[workshop.parent_goal] if workshop.parent_goal else [],
        )
        for draft in proposal.key_results:
            owner_id = draft.get("owner")
            owner_id = owner_id if isinstance(owner_id, int) and owner_id in members else None
            owner = User.objects.filter(pk=owner_id).first() if owner_id else author
            key_result_create(
                actor=actor,
                goal=goal,
                title=draft["title"],
                unit=draft.get("unit", ""),
                baseline=Decimal(draft["baseline"]),
                target=Decimal(draft["target"]),
                owner=owner,
                due_on=date.fromisoformat(draft["due_on"]) if draft.get("due_on") else None,
            )
        goal = goal_agreed_by_decision(actor=actor, goal=goal, workshop_title=workshop.title)
    except DomainError as error:
        raise Conflict(
            {"non_field_errors": [f"The proposal cannot become a goal: {error.message}"]}
        ) from None
    return goal


def workshop_new_round(*, actor: User, workshop: Workshop) -> Workshop:
    """After a failed decision, start another drafting round; earlier votes stay on record."""
    with transaction.atomic():
        current = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if current.phase not in (Phase.REVEALED, Phase.DECIDED):
            raise Conflict({"phase": ["A new round starts after the votes were revealed."]})
        if not current.proposals.filter(status=ProposalStatus.OPEN).exists():
            raise Conflict({"phase": ["Every proposal was decided; there is nothing to redraft."]})
        current.round += 1
        save_versioned(current, ["round"])
        _move(current, Phase.DRAFTING, actor)
    return current
