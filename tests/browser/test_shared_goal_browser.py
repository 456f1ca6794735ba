"""In a real browser, a product goal serving two goals shows twice: the count explains the
extra cards, and the second card leads to the first ([2/7] item 14)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from goals.models import Level, ProductRole, Status
from tests.browser.pages import sign_in
from tests.browser.test_workshop_browser import shoot
from tests.factories import ProductFactory, UserFactory, add_member, make_goal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    lea = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    families = make_goal(product, Level.USER, vision, title="Families plan meals fast")
    paying = make_goal(product, Level.BUSINESS, vision, title="Households pay for plans")
    make_goal(product, Level.PRODUCT, families, paying, title="Weekly planner")
    make_goal(product, Level.PRODUCT, families, title="Recipe import")
    return product, lea


def test_a_goal_shown_twice_is_counted_once_and_leads_to_its_first_place(
    live_server, shared, open_page, page_errors, screenshot_dir
):
    product, lea = shared
    page = open_page(1280)
    sign_in(page, live_server.url, lea.email)
    page.goto(f"{live_server.url}/products/{product.pk}/")

    cards = page.locator("#chain article.card")
    expect(cards).to_have_count(6)
    expect(page.locator(".chain-summary")).to_contain_text(
        "5 goals in this chain. “Weekly planner” serves more than one goal and is shown under "
        "each, so 6 cards show."
    )
    again = page.get_by_role("link", name="Also shown under “Families plan meals fast”")
    expect(again).to_have_count(1)
    shoot(page, screenshot_dir / "chain-shared-goal-1280.png")
    again.click()
    expect(page).to_have_url(re.compile(r"#goal-\d+$"))
    assert page_errors == []
