"""The data of the chain benchmarks: a product with a chain of any size, shaped like a real
one, and the write that makes the next chain read rebuild it. bench/chain.py and
bench/throughput.py both build their products here."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone


def build_product(size: int) -> tuple[Any, Any, int]:
    """A product with `size` goals shaped like a real chain, written with bulk_create."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from goals.models import (
        Goal,
        GoalLink,
        KeyResult,
        Level,
        Organization,
        OrganizationMembership,
        OrgRole,
        Product,
        ProductMembership,
        ProductRole,
        Status,
        User,
    )

    rng = random.Random(size)
    today = timezone.localdate()
    org = Organization.objects.create(name=f"Bench {size}", business_strategy="Grow.")
    product = Product.objects.create(
        organization=org, name=f"Chain of {size:,}", portfolio_strategy="Lead with mobile."
    )
    people = [
        User(email=f"bench{size}-{i}@example.com", display_name=f"Person {i}") for i in range(12)
    ]
    for person in people:
        person.set_unusable_password()
    people = User.objects.bulk_create(people)
    leader = people[0]
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(
            organization=org, user=p, role=OrgRole.ADMIN if p is leader else OrgRole.MEMBER
        )
        for p in people
    )
    ProductMembership.objects.bulk_create(
        ProductMembership(
            product=product,
            user=p,
            role=ProductRole.LEADER
            if i < 2
            else ProductRole.STAKEHOLDER
            if i >= 10
            else ProductRole.TEAM,
        )
        for i, p in enumerate(people)
    )
    owners = people[:10]

    top = max(2, round(size * 0.05))
    products_n = max(1, round(size * 0.25))
    sprints = size - 1 - top - products_n

    def goal(level: str, n: int, starts: date, days: int, status: str) -> Goal:
        title = f"{Level(level).label} {n}: make meal planning effortless for busy parents"
        text = f"Why this matters, in a paragraph of **markdown** for goal {n}."
        return Goal(
            product=product,
            level=level,
            title=title,
            description=text,
            description_html=f"<p>{text.replace('**markdown**', '<strong>markdown</strong>')}</p>",
            owner=rng.choice(owners),
            status=status,
            starts_on=starts,
            ends_on=starts + timedelta(days=days),
            confidence=rng.choice([2, 3, 3, 4, 4, 4, 5, 5]) if level == Level.SPRINT else None,
            next_review_on=today + timedelta(days=rng.randint(-2, 30)),
            progress=rng.randint(0, 100),
            created_by=leader,
        )

    def status() -> str:
        return rng.choices([Status.AGREED, Status.DRAFT, Status.ACHIEVED], [85, 10, 5])[0]

    # Children sit inside their parents' timeframes, as in a chain that is looked after.
    vision = goal(Level.VISION, 1, today - timedelta(days=400), 6 * 365, Status.AGREED)
    tops = [
        goal(
            Level.USER if i % 2 == 0 else Level.BUSINESS,
            i,
            today - timedelta(days=rng.randint(0, 300)),
            rng.randint(700, 1000),
            status(),
        )
        for i in range(top)
    ]
    product_goals = [
        goal(
            Level.PRODUCT,
            i,
            today - timedelta(days=rng.randint(0, 120)),
            rng.randint(60, 180),
            status(),
        )
        for i in range(products_n)
    ]
    sprint_parents = [rng.choice(product_goals) for _ in range(sprints)]
    sprint_goals = []
    for i, parent in enumerate(sprint_parents):
        assert parent.starts_on is not None and parent.ends_on is not None
        days = rng.choice([7, 14, 14, 14, 21, 28])
        room = (parent.ends_on - parent.starts_on).days - days
        starts = parent.starts_on + timedelta(days=rng.randint(0, max(0, room)))
        sprint_goals.append(goal(Level.SPRINT, i, starts, days, status()))
    everything = [vision, *tops, *product_goals, *sprint_goals]
    for g in everything:
        if g.status == Status.ACHIEVED:
            g.outcome_note = "Shipped and measured."
    Goal.objects.bulk_create(everything, batch_size=1000)

    links = [GoalLink(child=g, parent=vision) for g in tops]
    for g in product_goals:
        for parent in rng.sample(tops, 2 if rng.random() < 0.2 else 1):
            links.append(GoalLink(child=g, parent=parent))
    links += [
        GoalLink(child=g, parent=parent)
        for g, parent in zip(sprint_goals, sprint_parents, strict=True)
    ]
    GoalLink.objects.bulk_create(links, batch_size=2000)

    key_results = []
    for g in [*tops, *product_goals]:
        if rng.random() < 0.85:
            for k in range(rng.randint(1, 3)):
                baseline = Decimal(rng.randint(0, 50))
                key_results.append(
                    KeyResult(
                        goal=g,
                        title=f"Key result {k + 1} of {g.title[:40]}",
                        unit=rng.choice(["%", "users", "EUR", "min"]),
                        baseline=baseline,
                        target=baseline + rng.randint(10, 100),
                        current=baseline + rng.randint(0, 60),
                        owner=rng.choice(owners),
                        due_on=g.ends_on,
                    )
                )
    KeyResult.objects.bulk_create(key_results, batch_size=2000)
    if connection.vendor == "postgresql":
        # A database in use has statistics (autovacuum gathers them); without them the
        # planner would guess at tables filled a moment ago.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return product, leader, len(key_results)


def change_a_goal(product: Any) -> Callable[[], None]:
    """A write before each request, so that every read rebuilds the chain (a cache miss)."""
    # The app's modules load only once django.setup() has run on the scratch database.
    from goals.models import Goal

    goals = Goal.objects.filter(pk=Goal.objects.filter(product=product).order_by("-pk")[:1])

    def change() -> None:
        goals.update(version=F("version") + 1)

    return change
