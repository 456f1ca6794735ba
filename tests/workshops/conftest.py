"""Workshop fixtures: a roadmapping workshop under an agreed user goal with three voters, and
the agreed goals a workshop is planned under."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from goals.models import Goal, Level, ProductRole, Status, User
from tests.factories import UserFactory, add_member, make_goal
from workshops.models import Participant, Proposal, VotingMethod, Workshop
from workshops.services.proposals import proposal_create
from workshops.services.setup import participant_add, workshop_create, workshop_set_phase
from workshops.services.votes import vote_cast


@dataclass
class Room:
    workshop: Workshop
    facilitator: User
    voters: list[User]
    observer: User
    parent: Goal

    def seat(self, user: User, can_vote: bool | None = None) -> Participant:
        return participant_add(
            actor=self.facilitator, workshop=self.workshop, user=user, can_vote=can_vote
        )

    def to(self, *phases: str) -> None:
        for phase in phases:
            self.workshop = workshop_set_phase(
                actor=self.facilitator, workshop=self.workshop, phase=phase
            )

    def propose(self, author: User | None = None, **fields: object) -> Proposal:
        fields.setdefault("title", "Launch a new meal planner")
        return proposal_create(actor=author or self.voters[0], workshop=self.workshop, **fields)

    def vote(self, voter: User, proposal: Proposal, value: object, reason: str = "") -> None:
        vote_cast(actor=voter, proposal=proposal, value=value, reason=reason)


def make_room(team, *, method: str = VotingMethod.CONSENT, rule: str | None = None, **kw) -> Room:
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    parent = make_goal(team.product, Level.USER, vision, status=Status.AGREED)
    voters = [team.member] + [
        add_member(team.product, UserFactory(display_name=f"Voter {i}"), ProductRole.TEAM)
        for i in (2, 3)
    ]
    workshop = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Roadmapping Q1",
        target_level=Level.PRODUCT,
        parent_goal=parent,
        facilitator=team.leader,
        voting_method=method,
        decision_rule=rule,
        **kw,
    )
    room = Room(workshop, team.leader, voters, team.stakeholder, parent)
    for voter in voters:
        room.seat(voter)
    room.seat(team.stakeholder)
    return room


@pytest.fixture
def room(team) -> Room:
    return make_room(team)


@pytest.fixture
def goals(team) -> tuple[Goal, Goal, Goal]:
    """An agreed vision, user goal and product goal, one under the other."""
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED, title="North star")
    user_goal = make_goal(team.product, Level.USER, vision, status=Status.AGREED, title="Eat well")
    product_goal = make_goal(
        team.product, Level.PRODUCT, user_goal, status=Status.AGREED, title="Meal planner"
    )
    return vision, user_goal, product_goal
