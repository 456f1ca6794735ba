"""The decision table of the README, pair by pair: what each voting method and rule decide,
which pairs are refused when planning, and that a ranked proposal cannot be passed over."""

from __future__ import annotations

import contextlib

import pytest

from goals.errors import Conflict, DomainError
from goals.models import Level, Status
from tests.factories import make_goal
from tests.workshops.conftest import make_room
from workshops.models import Decision, DecisionRule, ProposalStatus, VotingMethod, Workshop
from workshops.services.decisions import workshop_decide
from workshops.services.setup import workshop_create

pytestmark = pytest.mark.django_db

CONSENT, DOT, SCORE, FIST = (
    VotingMethod.CONSENT,
    VotingMethod.DOT,
    VotingMethod.SCORE,
    VotingMethod.FIST_OF_FIVE,
)
UNANIMOUS, BY_CONSENT, MAJORITY = (
    DecisionRule.UNANIMOUS,
    DecisionRule.CONSENT,
    DecisionRule.MAJORITY,
)

# Every pair that can be planned, with three voters' ballots that pass and that fail.
TABLE = [
    (CONSENT, UNANIMOUS, ["agree", "abstain", "agree"], ["agree", "agree", "object"]),
    (CONSENT, BY_CONSENT, ["abstain", "abstain", "agree"], ["agree", "agree", "object"]),
    (CONSENT, MAJORITY, ["agree", "agree", "object"], ["agree", "abstain", "abstain"]),
    (DOT, UNANIMOUS, [1, 2, 1], [3, 0, 1]),
    (DOT, MAJORITY, [2, 0, 1], [3, 0, 0]),
    (SCORE, UNANIMOUS, [4, 5, 4], [4, 5, 3]),
    (SCORE, BY_CONSENT, [2, 3, 2], [5, 5, 1]),
    (SCORE, MAJORITY, [5, 4, 2], [5, 2, 2]),
    (FIST, UNANIMOUS, [3, 4, 5], [3, 2, 5]),
    (FIST, BY_CONSENT, [2, 2, 2], [5, 5, 1]),
    (FIST, MAJORITY, [3, 3, 1], [2, 2, 5]),
]
REFUSED = [(DOT, BY_CONSENT)]


def decide_one(team, method, rule, values) -> Decision:
    """Plan, draft one proposal, vote the given ballots, reveal and decide it."""
    room = make_room(team, method=method, rule=rule)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    for voter, value in zip(room.voters, values, strict=True):
        reason = "not yet" if value in ("object", 1) else ""
        room.vote(voter, proposal, value, reason)
    room.to("revealed")
    # A failed decision answers with a conflict, and is kept on record all the same.
    with contextlib.suppress(Conflict):
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    return Decision.objects.get(proposal=proposal)


def test_the_table_covers_every_method_and_rule():
    planned = {(method, rule) for method, rule, *_ in TABLE} | set(REFUSED)
    assert planned == {(m, r) for m in VotingMethod.values for r in DecisionRule.values}


CASES = [
    pytest.param(
        method, rule, values, passed, id=f"{method}-{rule}-{'passes' if passed else 'fails'}"
    )
    for method, rule, passing, failing in TABLE
    for values, passed in ((passing, True), (failing, False))
]


@pytest.mark.parametrize(("method", "rule", "values", "passed"), CASES)
def test_it_decides_each_plannable_pair_as_the_table_says(team, method, rule, values, passed):
    decision = decide_one(team, method, rule, values)
    assert decision.passed is passed, decision.reason
    if passed:
        assert decision.goal is not None and decision.goal.status == Status.AGREED
    else:
        assert decision.goal is None


@pytest.mark.parametrize(("method", "rule"), REFUSED)
def test_it_refuses_a_pair_that_means_nothing_when_planning(team, method, rule):
    with pytest.raises(DomainError) as error:
        make_room(team, method=method, rule=rule)
    message = " ".join(error.value.errors["decision_rule"])
    assert "Dot voting" in message and "consent" in message
    assert not Workshop.objects.exists()


@pytest.mark.parametrize(("method", "rule"), REFUSED)
def test_the_api_refuses_a_pair_that_means_nothing_with_a_400(team, api, method, rule):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    user_goal = make_goal(team.product, Level.USER, vision, status=Status.AGREED)
    response = api(team.leader).post(
        "/api/workshops/",
        {
            "product": team.product.pk,
            "title": "Roadmap",
            "target_level": "product",
            "parent_goal": user_goal.pk,
            "voting_method": method,
            "decision_rule": rule,
        },
    )
    assert response.status_code == 400
    assert "Dot voting cannot decide by consent" in response.json()["decision_rule"][0]
    assert not Workshop.objects.exists()


@pytest.mark.parametrize("level", [Level.VISION, Level.USER, Level.BUSINESS])
@pytest.mark.parametrize("method", VotingMethod.values)
@pytest.mark.parametrize("rule", [BY_CONSENT, MAJORITY])
def test_it_refuses_any_rule_but_unanimous_on_a_strategic_level(team, level, method, rule):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    with pytest.raises(DomainError) as error:
        workshop_create(
            actor=team.leader,
            product=team.product,
            title="Strategy",
            target_level=level,
            parent_goal=None if level == Level.VISION else vision,
            facilitator=team.leader,
            voting_method=method,
            decision_rule=rule,
        )
    assert "unanimously" in error.value.errors["decision_rule"][0]


@pytest.mark.parametrize("method", VotingMethod.values)
def test_it_plans_every_method_unanimously_on_a_user_goal(team, method):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    workshop = workshop_create(
        actor=team.leader,
        product=team.product,
        title="Strategy",
        target_level=Level.USER,
        parent_goal=vision,
        facilitator=team.leader,
        voting_method=method,
    )
    assert workshop.decision_rule == UNANIMOUS


def test_the_api_refuses_a_user_goal_workshop_decided_by_majority(team, api):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    body = {
        "product": team.product.pk,
        "title": "Strategy",
        "target_level": "user",
        "parent_goal": vision.pk,
        "decision_rule": "majority",
    }
    response = api(team.leader).post("/api/workshops/", body)
    assert response.status_code == 400
    assert "always decides unanimously" in response.json()["decision_rule"][0]
    assert (
        api(team.leader).post("/api/workshops/", {**body, "decision_rule": "unanimous"}).status_code
        == 201
    )


def test_it_never_adopts_two_proposals_of_six_and_three_dots(team):
    """The reported bug: under dot voting both 6 and 3 dots were adopted."""
    room = make_room(team, method=DOT, rule=MAJORITY)
    room.to("drafting")
    six = room.propose(title="Meal planner")
    three = room.propose(title="Shopping list")
    room.to("voting")
    for voter in room.voters:
        room.vote(voter, six, 2)
    for voter in room.voters:
        room.vote(voter, three, 1)
    room.to("revealed")
    with pytest.raises(Conflict) as error:
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=three)
    assert "“Meal planner” is ahead of “Shopping list” (6 dots to 3 dots)" in str(
        error.value.errors["proposal"]
    )
    workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=six)
    with pytest.raises(Conflict):
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=three)
    three.refresh_from_db()
    assert three.status == ProposalStatus.OPEN
    assert list(Decision.objects.filter(passed=True).values_list("proposal", flat=True)) == [six.pk]


def test_it_decides_nothing_in_a_dot_workshop_planned_by_consent_before_the_rule(team):
    room = make_room(team, method=DOT, rule=MAJORITY)
    Workshop.objects.filter(pk=room.workshop.pk).update(decision_rule=BY_CONSENT)
    room.to("drafting")
    proposal = room.propose()
    room.to("voting")
    room.vote(room.voters[0], proposal, 3)
    room.to("revealed")
    with pytest.raises(Conflict) as error:
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=proposal)
    assert "cannot decide by consent" in str(error.value.errors)
    assert not Decision.objects.exists()


def test_it_refuses_to_adopt_a_lower_average_score_over_a_higher_one(team):
    room = make_room(team, method=SCORE, rule=MAJORITY)
    room.to("drafting")
    best = room.propose(title="Meal planner")
    second = room.propose(title="Shopping list")
    room.to("voting")
    for voter, (high, low) in zip(room.voters, [(5, 4), (5, 4), (4, 4)], strict=True):
        room.vote(voter, best, high)
        room.vote(voter, second, low)
    room.to("revealed")
    with pytest.raises(Conflict) as error:
        workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=second)
    assert "“Meal planner” is ahead" in str(error.value.errors["proposal"])
    assert workshop_decide(actor=room.facilitator, workshop=room.workshop, proposal=best).passed


def test_the_decide_api_answers_409_naming_the_proposal_ahead(team, api):
    room = make_room(team, method=DOT, rule=MAJORITY)
    room.to("drafting")
    six = room.propose(title="Meal planner")
    three = room.propose(title="Shopping list")
    room.to("voting")
    for voter in room.voters:
        room.vote(voter, six, 2)
        room.vote(voter, three, 1)
    room.to("revealed")
    response = api(team.leader).post(
        f"/api/workshops/{room.workshop.pk}/decide/", {"proposal": three.pk}
    )
    assert response.status_code == 409
    assert "“Meal planner” is ahead" in response.json()["proposal"][0]


def plan_page_data(parent, leader, **fields) -> dict:
    return {
        "title": "Strategy day",
        "target_level": "user",
        "parent_goal": parent.pk,
        "facilitator": leader.pk,
        "voting_method": "consent",
        "decision_rule": "unanimous",
        "dots_per_voter": "3",
        **fields,
    }


def test_the_plan_page_refuses_a_user_goal_by_majority_and_shows_the_rule_fixed(
    team, browser_client
):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    client = browser_client(team.leader)
    path = f"/products/{team.product.pk}/workshops/new/"
    response = client.post(path, plan_page_data(vision, team.leader, decision_rule="majority"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "always decides unanimously" in html
    assert "Unanimous — fixed for vision, user and business goals" in html
    assert not Workshop.objects.exists()
    assert client.post(path, plan_page_data(vision, team.leader)).status_code == 302
    assert Workshop.objects.get().decision_rule == UNANIMOUS


def test_the_plan_page_refuses_dot_voting_by_consent(team, browser_client):
    vision = make_goal(team.product, Level.VISION, status=Status.AGREED)
    user_goal = make_goal(team.product, Level.USER, vision, status=Status.AGREED)
    data = plan_page_data(
        user_goal, team.leader, target_level="product", voting_method="dot", decision_rule="consent"
    )
    response = browser_client(team.leader).post(f"/products/{team.product.pk}/workshops/new/", data)
    assert response.status_code == 400
    assert "Dot voting cannot decide by consent" in response.content.decode()
    assert not Workshop.objects.exists()
