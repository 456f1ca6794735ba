"""Workshop rules at the service level: phases, proposals, votes, decisions, rounds."""

from datetime import date

import pytest

from goals.errors import Conflict, DomainError, Forbidden
from goals.models import Goal, KeyResult, Level, Status
from tests.factories import make_goal
from tests.workshops.conftest import make_room
from workshops.models import (
    Decision,
    DecisionRule,
    PhaseChange,
    ProposalStatus,
    Vote,
    VotingMethod,
)
from workshops.services.decisions import workshop_decide, workshop_new_round
from workshops.services.proposals import proposal_check, proposal_create, proposal_update
from workshops.services.setup import participant_remove, workshop_create, workshop_set_phase

pytestmark = pytest.mark.django_db


def test_it_defaults_the_rule_by_level(team):
    room = make_room(team)
    assert room.workshop.decision_rule == DecisionRule.CONSENT
    vision = room.parent.parents.get()
    unanimous = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Strategy",
        target_level=Level.USER,
        parent_goal=vision,
        facilitator=team.leader,
    )
    assert unanimous.decision_rule == DecisionRule.UNANIMOUS


def test_it_refuses_a_parent_goal_of_the_wrong_level(team):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    with pytest.raises(DomainError) as error:
        workshop_create(
            actor=team.leader,
            product=team.product,
            title="Sprint planning",
            target_level=Level.SPRINT,
            parent_goal=vision,
            facilitator=team.leader,
        )
    assert "parent_goal" in error.value.errors


def test_it_moves_phases_only_forward_and_records_who_and_when(room):
    with pytest.raises(Conflict):
        room.to("voting")
    room.to("drafting")
    with pytest.raises(Conflict):
        room.to("planned")
    change = PhaseChange.objects.get(workshop=room.workshop, to_phase="drafting")
    assert change.by == room.facilitator and change.from_phase == "planned"


def test_it_refuses_voting_without_a_proposal(room):
    room.to("drafting")
    with pytest.raises(Conflict):
        room.to("voting")


def test_it_keeps_a_revision_for_every_save_and_refuses_a_stale_version(room):
    room.to("drafting")
    proposal = room.propose(title="Meal planner")
    proposal_update(
        actor=room.voters[1], proposal=proposal, data={"title": "Meal planner 2.0"}, version=1
    )
    with pytest.raises(Conflict):
        proposal_update(actor=room.voters[0], proposal=proposal, data={"title": "Mine"}, version=1)
    revisions = list(proposal.revisions.all())
    assert [r.number for r in revisions] == [2, 1]
    assert revisions[0].by == room.voters[1]
    assert revisions[0].changes == {"title": ["Meal planner", "Meal planner 2.0"]}
    proposal.refresh_from_db()
    assert proposal.title == "Meal planner 2.0"


def test_it_checks_proposals_against_the_target_levels_rules(team):
    room = make_room(team)
    sprint_parent = make_goal(team.product, Level.PRODUCT, room.parent, status=Status.AGREED)
    sprint = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Sprint 12",
        target_level=Level.SPRINT,
        parent_goal=sprint_parent,
        facilitator=team.leader,
    )
    errors = proposal_check(
        workshop=sprint,
        data={"title": "x", "starts_on": date(2026, 1, 1), "ends_on": date(2026, 2, 12)},
    )
    assert "ends_on" in errors
    workshop_set_phase(actor=team.leader, workshop=sprint, phase="drafting")
    with pytest.raises(DomainError) as error:
        proposal_create(
            actor=team.leader,
            workshop=sprint,
            title="Six weeks",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 2, 12),
        )
    assert "ends_on" in error.value.errors


def test_it_refuses_proposals_outside_drafting(room):
    with pytest.raises(Conflict):
        room.propose()


def test_it_replaces_a_vote_instead_of_adding_one(room):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "object", "too big")
    room.vote(room.voters[0], proposal, "agree")
    assert list(Vote.objects.values_list("value", flat=True)) == ["agree"]


@pytest.mark.parametrize(
    ("method", "value", "reason", "field"),
    [
        (VotingMethod.CONSENT, "maybe", "", "value"),
        (VotingMethod.CONSENT, "object", "", "reason"),
        (VotingMethod.SCORE, 6, "", "value"),
        (VotingMethod.SCORE, "abc", "", "value"),
        (VotingMethod.FIST_OF_FIVE, 0, "", "value"),
        (VotingMethod.FIST_OF_FIVE, True, "", "value"),
        (VotingMethod.DOT, 4, "", "value"),
        (VotingMethod.DOT, -1, "", "value"),
    ],
)
def test_it_refuses_a_vote_outside_the_methods_range(team, method, value, reason, field):
    room = make_room(team, method=method)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    with pytest.raises(DomainError) as error:
        room.vote(room.voters[0], proposal, value, reason)
    assert field in error.value.errors
    assert not Vote.objects.exists()


def test_it_keeps_dots_within_each_voters_budget(team):
    room = make_room(team, method=VotingMethod.DOT, dots_per_voter=3)
    room.to("drafting")
    first, second = room.propose(title="A"), room.propose(title="B")
    room.to("voting")
    room.vote(room.voters[0], first, 2)
    with pytest.raises(DomainError):
        room.vote(room.voters[0], second, 2)
    room.vote(room.voters[0], second, 1)
    room.vote(room.voters[0], first, 1)  # moving a dot frees one
    room.vote(room.voters[0], second, 2)
    assert sorted(Vote.objects.values_list("value", flat=True)) == ["1", "2"]


def test_it_lets_only_invited_voters_vote(room):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    with pytest.raises(Forbidden):
        room.vote(room.observer, proposal, "agree")
    with pytest.raises(Forbidden):
        room.vote(room.facilitator, proposal, "agree")


def test_it_lets_a_stakeholder_vote_when_invited_as_a_voter(team):
    room = make_room(team)
    room.workshop.participants.filter(user=team.stakeholder).update(can_vote=True)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(team.stakeholder, proposal, "agree")
    assert Vote.objects.filter(voter=team.stakeholder).exists()


def test_it_freezes_votes_after_the_reveal(room):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "agree")
    room.to("revealed")
    with pytest.raises(Conflict):
        room.vote(room.voters[0], proposal, "object", "changed my mind")
    assert Vote.objects.get().value == "agree"


def test_it_adopts_a_passing_proposal_as_an_agreed_goal_with_a_decision_record(room):
    room.to("drafting")
    proposal = room.propose(
        author=room.voters[1],
        title="Launch meal planning",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 4, 1),
        key_results=[{"title": "Weekly plans", "unit": "plans", "baseline": 0, "target": 500}],
    )
    room.to("voting")
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to("revealed")
    decision = workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    goal = Goal.objects.get(pk=decision.goal_id)
    assert goal.status == Status.AGREED and goal.level == Level.PRODUCT
    assert list(goal.parents.all()) == [room.parent]
    assert goal.owner == room.voters[1]
    kr = KeyResult.objects.get(goal=goal)
    assert (kr.owner, kr.target) == (room.voters[1], 500)
    assert decision.tallies["supporters"] == 3 and decision.rule == DecisionRule.CONSENT
    room.workshop.refresh_from_db()
    assert room.workshop.phase == "decided"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ADOPTED


def test_it_adopts_draft_key_results_with_their_due_dates(room):
    room.to("drafting")
    proposal = room.propose(
        key_results=[
            {"title": "Weekly plans", "baseline": 0, "target": 500, "due_on": "2026-03-15"},
            {"title": "Shared lists", "baseline": 0, "target": 50},
        ],
    )
    assert proposal.key_results[0]["due_on"] == "2026-03-15"
    assert proposal.key_results[1]["due_on"] is None
    room.to("voting")
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to("revealed")
    decision = workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    due = dict(KeyResult.objects.filter(goal_id=decision.goal_id).values_list("title", "due_on"))
    assert due == {"Weekly plans": date(2026, 3, 15), "Shared lists": None}


@pytest.mark.parametrize("due_on", ["15/03/2026", "0001-01-01", "9999-12-31", 20260315, "soon"])
def test_it_refuses_a_draft_key_result_due_on_something_not_a_sane_day(room, due_on):
    room.to("drafting")
    with pytest.raises(DomainError) as error:
        room.propose(key_results=[{"title": "Plans", "baseline": 0, "target": 5, "due_on": due_on}])
    assert error.value.errors["key_results"] == [
        "“Plans”: give the due date as a day between 1970 and 2200."
    ]


def test_it_refuses_an_objected_proposal_and_allows_another_round(room):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, "object", "It ignores retention")
    room.vote(room.voters[1], proposal, "agree")
    room.to("revealed")
    with pytest.raises(Conflict) as error:
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    assert "objection" in error.value.message
    failed = Decision.objects.get()
    assert not failed.passed and failed.objections[0]["reason"] == "It ignores retention"
    assert not Goal.objects.filter(title=proposal.title).exists()

    workshop = workshop_new_round(actor=room.facilitator, workshop=room.workshop)
    assert (workshop.phase, workshop.round) == ("drafting", 2)
    proposal_update(
        actor=room.voters[0], proposal=proposal, data={"title": "Meal planner that keeps users"}
    )
    room.workshop = workshop
    room.to("voting")
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to("revealed")
    decision = workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    assert decision.passed and decision.round == 2
    assert Vote.objects.filter(round=1).count() == 2  # the first round stays on record


def test_it_removes_a_participant_and_their_open_votes(room):
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[2], proposal, "agree")
    seat = room.workshop.participants.get(user=room.voters[2])
    participant_remove(actor=room.facilitator, participant=seat)
    with pytest.raises(Forbidden):
        room.vote(room.voters[2], proposal, "agree")
    assert not Vote.objects.filter(voter=room.voters[2]).exists()


def test_it_only_seats_product_members(team):
    room = make_room(team)
    with pytest.raises(DomainError):
        room.seat(team.outsider)


def test_it_emails_each_invited_participant(team, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_room(team)
    assert len(mailoutbox) == 4
    assert "Roadmapping Q1" in mailoutbox[0].subject
    assert "/workshops/" in mailoutbox[0].body
    assert mailoutbox[0].alternatives
