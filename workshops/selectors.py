"""Reads of the workshop room. Vote values leave here only after the reveal."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from goals.access import Role, object_id, role_of, with_roles
from goals.errors import NotFound
from goals.models import User
from workshops import rules
from workshops.models import Participant, Proposal, Vote, VotingMethod, Workshop


def visible_workshops(user: User) -> QuerySet[Workshop]:
    """Workshops a person may enter: as facilitator, participant, or the product's leader."""
    qs = with_roles(
        Workshop.objects.select_related("product__organization", "facilitator", "parent_goal"),
        user,
        product="product_id",
        organization="product__organization_id",
    )
    return qs.filter(
        Q(facilitator=user)
        | Q(participants__user=user)
        | Q(my_role="leader")
        | Q(my_org_role="admin")
    ).distinct()


def get_workshop(user: User, pk: object) -> Workshop:
    workshop = visible_workshops(user).filter(pk=object_id(pk)).first()
    if workshop is None:
        raise NotFound()
    return workshop


def get_proposal(user: User, pk: object) -> Proposal:
    proposal = Proposal.objects.select_related("author").filter(pk=object_id(pk)).first()
    if proposal is None:
        raise NotFound()
    proposal.workshop = get_workshop(user, proposal.workshop_id)
    return proposal


def seat_of(workshop: Workshop, user: User) -> Participant | None:
    return Participant.objects.filter(workshop=workshop, user=user).first()


def can_run(workshop: Workshop, user: User) -> bool:
    """The facilitator or a product leader moves phases."""
    return workshop.facilitator_id == user.pk or role_of(workshop) == Role.LEADER


def can_draft(workshop: Workshop, user: User) -> bool:
    """Voters and the facilitator draft and amend; observers watch and comment."""
    if workshop.facilitator_id == user.pk:
        return True
    return Participant.objects.filter(workshop=workshop, user=user, can_vote=True).exists()


def participants(workshop: Workshop) -> list[Participant]:
    return list(workshop.participants.select_related("user").order_by("user__email"))


def voted_user_ids(workshop: Workshop) -> set[int]:
    return set(
        Vote.objects.filter(proposal__workshop=workshop, round=workshop.round).values_list(
            "voter_id", flat=True
        )
    )


def proposal_tallies(workshop: Workshop) -> dict[int, rules.Tally]:
    """Tallies of the current round's votes, per proposal. Callers must check the phase."""
    ballots: dict[int, list[rules.Ballot]] = defaultdict(list)
    dot_voters: set[int] = set()
    for proposal_id, voter_id, value, reason in Vote.objects.filter(
        proposal__workshop=workshop, round=workshop.round
    ).values_list("proposal_id", "voter_id", "value", "reason"):
        ballots[proposal_id].append(rules.Ballot(voter_id, value, reason))
        if workshop.voting_method != VotingMethod.DOT or int(value) > 0:
            dot_voters.add(voter_id)
    return {
        proposal_id: rules.tally(
            workshop.voting_method, ballots.get(proposal_id, []), dot_voters=len(dot_voters)
        )
        for proposal_id in workshop.proposals.values_list("pk", flat=True)
    }


def objections_shown(
    workshop: Workshop, count: rules.Tally, names: dict[int, str]
) -> list[dict[str, Any]]:
    """Each objection's reason, with who raised it unless the workshop is anonymous."""
    if workshop.anonymous:
        return [{"reason": o["reason"]} for o in count.objections]
    return [
        {"voter": o["voter"], "name": names.get(o["voter"], ""), "reason": o["reason"]}
        for o in count.objections
    ]


def results(workshop: Workshop) -> dict[str, Any]:
    """Before the reveal: who has voted. After: tallies, objections, and names unless anonymous."""
    seats = participants(workshop)
    voted = voted_user_ids(workshop)
    voters = [s for s in seats if s.can_vote]
    data: dict[str, Any] = {
        "workshop": workshop.pk,
        "phase": workshop.phase,
        "round": workshop.round,
        "revealed": workshop.is_revealed,
        "voters": len(voters),
        "voted": len(voted & {s.user_id for s in voters}),
        "participants": [
            {
                "user": s.user_id,
                "name": s.user.name,
                "can_vote": s.can_vote,
                "has_voted": s.user_id in voted,
            }
            for s in seats
        ],
    }
    if not workshop.is_revealed:
        data["proposals"] = []
        return data
    names = {s.user_id: s.user.name for s in seats}
    by_proposal: dict[int, list[Vote]] = defaultdict(list)
    for vote in Vote.objects.filter(proposal__workshop=workshop, round=workshop.round):
        by_proposal[vote.proposal_id].append(vote)
    tallies = proposal_tallies(workshop)
    data["proposals"] = [
        {
            "proposal": proposal.pk,
            "title": proposal.title,
            "status": proposal.status,
            "tally": tallies[proposal.pk].as_dict(),
            "objections": objections_shown(workshop, tallies[proposal.pk], names),
            "votes": []
            if workshop.anonymous
            else [
                {
                    "voter": v.voter_id,
                    "name": names.get(v.voter_id, ""),
                    "value": v.value,
                    "reason": v.reason,
                }
                for v in by_proposal.get(proposal.pk, [])
            ],
        }
        for proposal in workshop.proposals.order_by("id")
    ]
    return data
