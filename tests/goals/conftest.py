"""Fixtures of the goals app's tests."""

import pytest

from goals.models import Goal, Level, Status
from goals.services.goals import goal_create
from tests.factories import GoalFactory, link


@pytest.fixture
def chain(team) -> dict[str, Goal]:
    """A chain whose product goal serves two goals; a test module may define its own."""
    product = team.product
    vision = GoalFactory(
        product=product, level=Level.VISION, title="Healthy lives", owner=team.leader
    )
    user_goal = link(
        GoalFactory(product=product, level=Level.USER, title="Plan meals fast"), vision
    )
    business = link(
        GoalFactory(product=product, level=Level.BUSINESS, title="Paying households"), vision
    )
    shared = link(
        GoalFactory(product=product, level=Level.PRODUCT, title="Fridge planner", progress=40),
        user_goal,
        business,
    )
    sprint = link(GoalFactory(product=product, level=Level.SPRINT, title="Scan the fridge"), shared)
    orphan = GoalFactory(product=product, level=Level.PRODUCT, title="Recipe import")
    return {
        "vision": vision,
        "user": user_goal,
        "business": business,
        "shared": shared,
        "sprint": sprint,
        "orphan": orphan,
    }


@pytest.fixture
def goal(team) -> Goal:
    """A draft user goal under the vision, owned by the team member."""
    vision = goal_create(
        actor=team.leader, product=team.product, level=Level.VISION, title="Healthy lives"
    )
    return goal_create(
        actor=team.leader,
        product=team.product,
        level=Level.USER,
        title="Plan meals fast",
        owner=team.member,
        parents=[vision],
        status=Status.DRAFT,
    )


@pytest.fixture
def draft(team, chain) -> Goal:
    """A draft user goal under the vision of the test module's `chain`."""
    return goal_create(
        actor=team.leader,
        product=team.product,
        level=Level.USER,
        title="Plan meals fast",
        parents=[chain.vision],
    )
