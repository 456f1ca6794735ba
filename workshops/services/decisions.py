"""Writes of decisions: applying the decision rule to the revealed votes, adopting a
passing proposal as a goal with its key results (agreed through goals.services.agreement),
and starting a new round after a failed decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from goals.errors import Conflict, DomainError
from goals.models import Goal, ProductMembership, User
from goals.services.agreement import goal_agreed_by_decision
from goals.services.goals import goal_create
from goals.services.key_results import key_result_create
from goals.services.notifications import decision_made
from goals.services.versioning import save_versioned
from goals.services.webhooks import announce_goal
from workshops import rules
from workshops.events import emit
from workshops.models import Decision, Phase, Proposal, ProposalStatus, Workshop
from workshops.selectors import objections_shown, proposal_tallies
from workshops.services.common import phase_move


def workshop_decide(*, actor: User, workshop: Workshop, proposal: Proposal) -> Decision:
    """Apply the decision rule to the revealed votes; a pass adopts the proposal as a goal."""
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
            decision_made(decision=decision)
            _announce(actor, current, decision)
            if current.phase == Phase.REVEALED:
                phase_move(workshop=current, phase=Phase.DECIDED, actor=actor)
            emit(current, "decision", proposal=proposal.pk, passed=True, goal=decision.goal_id)
            return decision
    # A failed decision is kept on record too, and told to the room.
    with transaction.atomic():
        decision.save()
        decision_made(decision=decision)
        emit(current, "decision", proposal=proposal.pk, passed=False)
    raise Conflict({"non_field_errors": [reason]})


def _announce(actor: User, workshop: Workshop, decision: Decision) -> None:
    """Tell the product's hooks which goal the workshop adopted; never how anyone voted."""
    assert decision.goal is not None
    announce_goal(
        event="workshop.decided", goal=decision.goal, actor=actor, key=str(decision.pk),
        workshop=lambda: {
            "id": workshop.pk,
            "title": workshop.title,
            "url": settings.SITE_URL + reverse("workshop-room", args=[workshop.pk]),
        },
    )  # fmt: skip


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
        phase_move(workshop=current, phase=Phase.DRAFTING, actor=actor)
    return current
