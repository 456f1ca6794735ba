"""Shared helpers for the page tests (imported by tests/goals/test_pages_*.py)."""

from __future__ import annotations

from goals.models import Goal, GoalLink, Level, Product, Status
from tests.factories import GoalFactory, link


def chain_url(product: Product) -> str:
    return f"/products/{product.pk}/"


def build_chain(product: Product, size: int) -> list[Goal]:
    """A chain of about `size` goals: a vision, user goals, product goals, sprint goals.

    Written with bulk_create so a 500-goal chain stays quick to set up.
    """
    vision = GoalFactory(
        product=product, level=Level.VISION, title="North star", status=Status.AGREED
    )
    remaining = size - 1
    per_level = [max(1, remaining // 6), max(1, remaining // 3)]
    users = Goal.objects.bulk_create(
        Goal(product=product, level=Level.USER, title=f"User goal {i}") for i in range(per_level[0])
    )
    GoalLink.objects.bulk_create(GoalLink(child=g, parent=vision) for g in users)
    products = Goal.objects.bulk_create(
        Goal(product=product, level=Level.PRODUCT, title=f"Product goal {i}")
        for i in range(per_level[1])
    )
    GoalLink.objects.bulk_create(
        GoalLink(child=g, parent=users[i % len(users)]) for i, g in enumerate(products)
    )
    sprints_count = max(0, size - 1 - len(users) - len(products))
    sprints = Goal.objects.bulk_create(
        Goal(product=product, level=Level.SPRINT, title=f"Sprint goal {i}")
        for i in range(sprints_count)
    )
    GoalLink.objects.bulk_create(
        GoalLink(child=g, parent=products[i % len(products)]) for i, g in enumerate(sprints)
    )
    return [vision, *users, *products, *sprints]


__all__ = ["build_chain", "chain_url", "link"]
