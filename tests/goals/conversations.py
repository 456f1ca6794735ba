"""Shared helpers for the conversation tests (comments, insights, feedback, notifications)."""

from __future__ import annotations

import pytest

from goals.models import Goal, Level, Notification, Status
from goals.services.goals import goal_create

HTMX = {"HTTP_HX_REQUEST": "true"}


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


def inbox_of(user) -> list[tuple[str, str]]:
    """(kind, text) of a person's notifications, oldest first."""
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "text")
    )


def kinds_of(user) -> list[str]:
    return [kind for kind, _ in inbox_of(user)]
