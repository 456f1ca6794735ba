"""Steps every browser journey shares."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.test import Client
from django.utils import timezone

from goals.models import Goal, KeyResult, Level, ProductRole, Status, User
from tests.factories import (
    PASSWORD,
    KeyResultFactory,
    ProductFactory,
    UserFactory,
    add_member,
    make_goal,
)


def sign_in(page, base_url: str, email: str) -> None:
    """The page's browser signed in as that person, with the session cookie that signing in
    gives, and no page opened: most tests are about what comes after. The sign-in form is
    driven by `sign_in_with_the_form` and the tests of signing in (two-factor, single sign-on,
    invitations, a new leader's first hour)."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def sign_in_with_the_form(page, base_url: str, email: str) -> None:
    """Signed in as that person through the sign-in page, which leads to their home page."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def planner_goal(
    *, started_days_ago: int, days_left: int, target: int
) -> tuple[User, Goal, KeyResult]:
    """An agreed product goal of the Meal Planner, owned by the team member Tom Team, with one
    key result "Families planning weekly" from 100 families towards `target`."""
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    member = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    today = timezone.localdate()
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    user_goal = make_goal(product, Level.USER, vision, status=Status.AGREED, title="Plan fast")
    goal = make_goal(
        product, Level.PRODUCT, user_goal, status=Status.AGREED, owner=member,
        title="Weekly planner that reads the fridge",
        starts_on=today - timedelta(days=started_days_ago),
        ends_on=today + timedelta(days=days_left), next_review_on=today + timedelta(days=1),
    )  # fmt: skip
    key_result = KeyResultFactory(
        goal=goal, title="Families planning weekly", unit="families", owner=member,
        baseline=Decimal(100), target=Decimal(target), current=Decimal(100),
        due_on=today + timedelta(days=days_left),
    )  # fmt: skip
    return member, goal, key_result
