"""Numbers as people write them in a real browser ([2/7] item 9): the goal page's key results
and the boxes of the key result form show 3.1 and 50,000 / 50000, never 3.1000 or 50000.0000."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import Level, ProductRole, Status
from tests.browser.pages import sign_in
from tests.factories import KeyResultFactory, ProductFactory, UserFactory, add_member, make_goal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def goal(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    today = timezone.localdate()
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    user_goal = make_goal(product, Level.USER, vision, status=Status.AGREED, title="Plan fast")
    goal = make_goal(
        product, Level.PRODUCT, user_goal, title="Reach households", owner=leader,
        starts_on=today, ends_on=today + timedelta(days=90),
    )  # fmt: skip
    KeyResultFactory(
        goal=goal, title="Weight lost", unit="kg/week", owner=leader,
        baseline=Decimal("3.1"), current=Decimal("2600"), target=Decimal("50000"),
    )  # fmt: skip
    return leader, goal


def test_the_goal_page_and_key_result_form_show_numbers_as_people_write_them(
    live_server, goal, open_page, page_errors, screenshot_dir
):
    leader, goal = goal
    page = open_page(1280, 900)
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/goals/{goal.pk}/")

    row = page.get_by_role("row", name="Weight lost")
    expect(row).to_contain_text("3.1 kg/week")
    expect(row).to_contain_text("2,600 kg/week")
    expect(row).to_contain_text("50,000 kg/week")
    expect(row).not_to_contain_text(".0000")

    page.get_by_role("link", name="Edit “Weight lost”").click()
    form = page.locator("form[aria-labelledby='kr-edit-title']")
    expect(form.get_by_label("Baseline")).to_have_value("3.1")
    expect(form.get_by_label("Current")).to_have_value("2600")
    expect(form.get_by_label("Target")).to_have_value("50000")
    page.screenshot(path=str(screenshot_dir / "numbers-goal-page.png"), full_page=True)
    assert page_errors == []
