"""Key results: a name on each, a target to move towards, and progress rolling up the chain."""

from __future__ import annotations

from decimal import Decimal

import pytest

from goals.errors import Conflict, DomainError
from goals.models import Goal, KeyResult, Level, Status, key_result_progress
from goals.services.goals import goal_delete, goal_update
from goals.services.key_results import key_result_create, key_result_delete, key_result_update
from tests.factories import OrganizationMembershipFactory, make_chain, make_goal


@pytest.fixture
def chain(team):
    return make_chain(team.product)


def add_kr(team, goal, *, baseline=0, target=100, current=None, owner=None, **fields):
    return key_result_create(
        actor=team.leader,
        goal=goal,
        title=fields.pop("title", "Weekly active planners"),
        baseline=Decimal(baseline),
        target=Decimal(target),
        current=None if current is None else Decimal(current),
        owner=owner or team.member,
        **fields,
    )


def progress_of(goal: Goal) -> int:
    return Goal.objects.get(pk=goal.pk).progress


# Rules.


def test_it_creates_a_key_result_starting_at_its_baseline(team, chain):
    kr = add_kr(team, chain.product_goal, baseline=20, target=40, unit="%")
    assert kr.current == Decimal(20)
    assert kr.owner == team.member


def test_it_refuses_a_key_result_without_an_owner(team, chain):
    with pytest.raises(DomainError) as excinfo:
        key_result_create(
            actor=team.leader,
            goal=chain.product_goal,
            title="Signups",
            baseline=Decimal(0),
            target=Decimal(10),
            owner=None,
        )
    assert "owner" in excinfo.value.errors
    assert not KeyResult.objects.exists()


def test_it_refuses_an_owner_who_is_not_a_product_member(team, chain):
    org_member_only = OrganizationMembershipFactory(organization=team.product.organization).user
    for owner in (org_member_only, team.outsider):
        with pytest.raises(DomainError) as excinfo:
            add_kr(team, chain.product_goal, owner=owner)
        assert "owner" in excinfo.value.errors
    assert not KeyResult.objects.exists()


def test_it_accepts_a_stakeholder_as_owner(team, chain):
    assert add_kr(team, chain.product_goal, owner=team.stakeholder).owner == team.stakeholder


def test_it_refuses_a_target_equal_to_the_baseline(team, chain):
    with pytest.raises(DomainError) as excinfo:
        add_kr(team, chain.product_goal, baseline=5, target=5)
    assert "target" in excinfo.value.errors


def test_it_refuses_an_empty_title(team, chain):
    with pytest.raises(DomainError) as excinfo:
        add_kr(team, chain.product_goal, title="  ")
    assert "title" in excinfo.value.errors


def test_it_refuses_to_move_the_target_onto_the_baseline(team, chain):
    kr = add_kr(team, chain.product_goal, baseline=0, target=10)
    with pytest.raises(DomainError):
        key_result_update(actor=team.leader, key_result=kr, data={"target": Decimal(0)})
    kr.refresh_from_db()
    assert kr.target == Decimal(10)


def test_it_refuses_to_take_the_owner_away(team, chain):
    kr = add_kr(team, chain.product_goal)
    with pytest.raises(DomainError) as excinfo:
        key_result_update(actor=team.leader, key_result=kr, data={"owner": None})
    assert "owner" in excinfo.value.errors


def test_it_increments_a_key_results_version_and_refuses_a_stale_one(team, chain):
    kr = add_kr(team, chain.product_goal)
    kr = key_result_update(
        actor=team.leader, key_result=kr, data={"current": Decimal(5)}, version=1
    )
    assert kr.version == 2
    with pytest.raises(Conflict):
        key_result_update(actor=team.leader, key_result=kr, data={"current": Decimal(9)}, version=1)
    kr.refresh_from_db()
    assert (kr.current, kr.version) == (Decimal(5), 2)


# Progress of one key result.


@pytest.mark.parametrize(
    ("baseline", "target", "current", "expected"),
    [
        (0, 100, 0, 0),
        (0, 100, 50, 50),
        (0, 100, 100, 100),
        (0, 100, 150, 100),  # beyond the target: clamped
        (10, 30, 5, 0),  # below the baseline: clamped
        (10, 30, 20, 50),
        (100, 50, 75, 50),  # a number to bring down
        (100, 50, 40, 100),
        ("0.5", "1.5", "0.75", 25),
    ],
)
def test_it_computes_key_result_progress(baseline, target, current, expected):
    assert key_result_progress(Decimal(baseline), Decimal(target), Decimal(current)) == expected


# Progress rolling up the chain.


def test_it_gives_a_goal_the_mean_of_its_key_results(team, chain):
    add_kr(team, chain.product_goal, current=20)
    add_kr(team, chain.product_goal, current=60)
    assert progress_of(chain.product_goal) == 40


def test_it_rolls_progress_up_to_the_vision(team, chain):
    add_kr(team, chain.product_goal, current=80)
    assert progress_of(chain.product_goal) == 80
    assert progress_of(chain.user_goal) == 80
    assert progress_of(chain.business_goal) == 80
    assert progress_of(chain.vision) == 80


def test_it_prefers_a_goals_own_key_results_over_its_children(team, chain):
    add_kr(team, chain.product_goal, current=80)
    add_kr(team, chain.user_goal, current=10)
    assert progress_of(chain.user_goal) == 10
    assert progress_of(chain.vision) == 45  # mean of user goal 10 and business goal 80


def test_it_averages_over_live_children_only(team, chain):
    other = make_goal(team.product, Level.PRODUCT, chain.user_goal, status=Status.AGREED)
    add_kr(team, chain.product_goal, current=80)
    add_kr(team, other, current=20)
    assert progress_of(chain.user_goal) == 50
    goal_update(actor=team.leader, goal=other, data={"status": Status.DROPPED})
    assert progress_of(chain.user_goal) == 80


def test_it_updates_progress_when_a_key_result_moves(team, chain):
    kr = add_kr(team, chain.product_goal, current=0)
    key_result_update(actor=team.member, key_result=kr, data={"current": Decimal(30)})
    assert progress_of(chain.product_goal) == 30
    assert progress_of(chain.vision) == 30


def test_it_updates_progress_when_a_key_result_is_deleted(team, chain):
    add_kr(team, chain.product_goal, current=100)
    kr = add_kr(team, chain.product_goal, current=0)
    assert progress_of(chain.vision) == 50
    key_result_delete(actor=team.leader, key_result=kr)
    assert progress_of(chain.product_goal) == 100
    assert progress_of(chain.vision) == 100


def test_it_updates_progress_when_a_goal_is_relinked(team, chain):
    add_kr(team, chain.product_goal, current=60)
    goal_update(
        actor=team.leader,
        goal=chain.product_goal,
        data={"parents": [chain.user_goal]},
        change_reason="The business goal is served elsewhere",
    )
    assert progress_of(chain.user_goal) == 60
    assert progress_of(chain.business_goal) == 0
    assert progress_of(chain.vision) == 30


def test_it_updates_progress_when_a_child_is_deleted(team, chain):
    draft = make_goal(team.product, Level.PRODUCT, chain.user_goal)
    add_kr(team, draft, baseline=0, target=10, current=10)
    add_kr(team, chain.product_goal, current=0)
    assert progress_of(chain.user_goal) == 50
    goal_delete(actor=team.leader, goal=draft)
    assert progress_of(chain.user_goal) == 0


def test_it_updates_progress_when_a_child_is_dropped_or_revived(team, chain):
    add_kr(team, chain.sprint_goal, current=40)
    assert progress_of(chain.product_goal) == 40
    goal_update(actor=team.leader, goal=chain.sprint_goal, data={"status": Status.DROPPED})
    assert progress_of(chain.product_goal) == 0
    # A dropped goal comes back as a draft (agreement is granted again, not typed in).
    goal_update(actor=team.leader, goal=chain.sprint_goal, data={"status": Status.DRAFT})
    assert progress_of(chain.product_goal) == 40


def test_it_counts_a_goal_without_key_results_or_children_as_zero(team, chain):
    assert progress_of(chain.sprint_goal) == 0
