"""Fixtures of the goals app's tests."""

import pytest

from goals.models import Goal, Level
from goals.services.goals import goal_create
from tests.goals.conversations import goal

__all__ = ["draft", "goal"]


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
