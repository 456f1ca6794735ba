"""On a phone the header stays short and the chain starts in the first screen; on a laptop
nothing folds ([2/7] item 11). In real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goals.models import ProductRole
from tests.browser.test_chain_browser import sign_in
from tests.factories import ProductFactory, UserFactory, add_member, make_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "".join(
    f"<p>Paragraph {n}: we grow by making healthy eating the easy choice for busy families.</p>"
    for n in range(6)
)


@pytest.fixture
def product(db):
    product = ProductFactory(
        name="Healthy-eating app",
        organization__name="Healthy Eating Co.",
        organization__business_strategy_html=LONG,
        portfolio_strategy_html=LONG,
    )
    make_chain(product)
    return product


def test_on_a_phone_the_chain_starts_in_the_first_screen(
    live_server, product, open_page, page_errors, screenshot_dir
):
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    page = open_page(390, 844)
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/products/{product.pk}/")

    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 130
    tabs = page.get_by_role("navigation", name="Organisation and product").get_by_role("link")
    tops = {round(tab.bounding_box()["y"]) for tab in tabs.all()[1:]}  # after the organisation
    assert len(tops) == 1, "the product's tabs sit in one row, scrolled sideways"
    first_goal = page.locator("#chain .card").first.bounding_box()
    assert first_goal is not None and first_goal["y"] < 844
    page.screenshot(path=str(screenshot_dir / "chain-phone-390.png"), caret="initial")

    business = page.locator("details.strategy").first
    expect(business).not_to_have_attribute("open", "")
    business.locator("summary").click()
    expect(business.get_by_text("Paragraph 0")).to_be_visible()

    # The last tab is reached by the keyboard: focus scrolls the row.
    activity = page.get_by_role("link", name="Activity", exact=True)
    activity.focus()
    expect(activity).to_be_in_viewport()
    assert page.get_by_role("link", name="Goal Chain").is_visible()  # the brand mark
    assert page_errors == []


def test_on_a_laptop_the_strategies_stay_open(live_server, product, open_page, page_errors):
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    page = open_page(1280, 900)
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/products/{product.pk}/")
    for box in page.locator("details.strategy").all():
        expect(box).to_have_attribute("open", "")
    expect(page.get_by_role("link", name="API docs").first).to_be_visible()
    assert page_errors == []
