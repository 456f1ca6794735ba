"""Factories for the test suite. They write rows directly; tests of rules go through services.

"Agreed" is granted, never typed in, and the factories keep that rule as the import does: a
goal made agreed (or achieved or missed, which it was before) is a state *restored* for the
test, not a decision. It comes with `agreed_via="restored"` and a history entry saying so.
A test about a particular way of agreeing passes `agreed_via=` (e.g. "record", to see the
health advice), or goes through goals/services/agreement.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from goals.models import (
    AgreementWay,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    GoalChange,
    GoalLink,
    Invitation,
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

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    business_strategy = "Grow the healthy-eating market in Europe."


class OrganizationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMembership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrgRole.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation to join an organisation; pass `product` and `product_role` for
    one to a product of it."""

    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    role = OrgRole.MEMBER


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    portfolio_strategy = "Lead with mobile."


def add_member(product: Product, user: User | None = None, role: str = ProductRole.TEAM) -> User:
    """Make `user` (or a new user) an organisation member and give them `role` in `product`."""
    user = user or UserFactory()
    # One statement each (an insert that keeps, or updates, a row already there), not a read,
    # a savepoint and a write: most tests set up a team this way.
    OrganizationMembership.objects.bulk_create(
        [OrganizationMembership(organization=product.organization, user=user)],
        ignore_conflicts=True,
    )
    ProductMembership.objects.bulk_create(
        [ProductMembership(product=product, user=user, role=role)],
        update_conflicts=True,
        unique_fields=["product", "user"],
        update_fields=["role"],
    )
    return user


# Statuses a goal only reaches by having been agreed.
WAS_AGREED = (Status.AGREED, Status.ACHIEVED, Status.MISSED)
RESTORED_REASON = "Set up by the test factory: a state restored, not a decision."
RESTORED_AT = datetime(2000, 1, 1, tzinfo=UTC)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    level = Level.PRODUCT
    title = factory.Sequence(lambda n: f"Goal {n}")
    status = Status.DRAFT
    agreed_via = factory.LazyAttribute(
        lambda goal: AgreementWay.RESTORED if goal.status in WAS_AGREED else ""
    )

    @factory.post_generation
    def agreement_history(goal: Goal, create: bool, extracted: object, **kwargs: object) -> None:
        """An agreed goal's history says how it came to be agreed."""
        if create and goal.agreed_via:
            GoalChange.objects.create(
                goal=goal,
                # Before anything a test does, even in a test that travels in time.
                at=RESTORED_AT,
                changes={"status": [Status.DRAFT, Status.AGREED]},
                reason=RESTORED_REASON,
                via=goal.agreed_via,
            )


def link(child: Goal, *parents: Goal) -> Goal:
    for parent in parents:
        GoalLink.objects.create(child=child, parent=parent)
    return child


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    goal = factory.SubFactory(GoalFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    unit = "%"
    baseline = Decimal("10")
    target = Decimal("30")
    current = Decimal("10")
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))


def sprint_dates(days: int = 14, start: date | None = None) -> tuple[date, date]:
    start = start or timezone.localdate()
    return start, start + timedelta(days=days)


def today() -> date:
    return timezone.localdate()


def make_goal(
    product: Product,
    level: str,
    *parents: Goal,
    status: str = Status.DRAFT,
    **fields: object,
) -> Goal:
    """A goal written directly (no rules), linked to `parents`."""
    return link(GoalFactory(product=product, level=level, status=status, **fields), *parents)


@dataclass
class Chain:
    vision: Goal
    user_goal: Goal
    business_goal: Goal
    product_goal: Goal
    sprint_goal: Goal


def make_chain(product: Product, *, status: str = Status.AGREED) -> Chain:
    """vision ← user goal, business goal ← product goal (serving both) ← sprint goal."""
    start = today()
    vision = make_goal(
        product,
        Level.VISION,
        status=status,
        starts_on=start,
        ends_on=start + timedelta(days=6 * 365),
    )
    user_goal = make_goal(
        product,
        Level.USER,
        vision,
        status=status,
        starts_on=start,
        ends_on=start + timedelta(days=2 * 365),
    )
    business_goal = make_goal(
        product,
        Level.BUSINESS,
        vision,
        status=status,
        starts_on=start,
        ends_on=start + timedelta(days=2 * 365),
    )
    product_goal = make_goal(
        product, Level.PRODUCT, user_goal, business_goal, status=status,
        starts_on=start, ends_on=start + timedelta(days=90),
    )  # fmt: skip
    sprint_goal = make_goal(
        product,
        Level.SPRINT,
        product_goal,
        status=status,
        starts_on=start,
        ends_on=start + timedelta(days=14),
    )
    return Chain(vision, user_goal, business_goal, product_goal, sprint_goal)


def make_closed_round(goal: Goal, asker: User, answers: dict[User, str]) -> FeedbackRound:
    """A feedback round on `goal`, past its deadline and closed, with these answers ("" for
    someone who did not answer)."""
    feedback_round = FeedbackRound.objects.create(
        goal=goal,
        requested_by=asker,
        deadline=today() - timedelta(days=1),
        closed_at=timezone.now(),
    )
    FeedbackRequest.objects.bulk_create(
        FeedbackRequest(round=feedback_round, person=person, answer=answer)
        for person, answer in answers.items()
    )
    return feedback_round
