"""Check in on a phone: an inline error, then values and confidence saved, the chart drawn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goals.models import CheckIn, KeyResult
from tests.browser.pages import planner_goal
from tests.browser.test_chain_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def goal(db):
    member, goal, _ = planner_goal(started_days_ago=20, days_left=70, target=400)
    return member, goal


def test_a_check_in_on_a_phone(live_server, goal, open_page, page_errors, screenshot_dir):
    member, goal = goal
    page = open_page(390, 844)
    sign_in(page, live_server.url, member.email)
    page.goto(f"{live_server.url}/goals/{goal.pk}/")
    expect(page.locator(".page-head .review-due")).to_have_text("Review due tomorrow")

    form = page.locator("form.check-in-form")
    form.get_by_label("Families planning weekly (families)").fill("")
    form.get_by_role("button", name="Save check-in").click()
    error = form.locator(".errorlist").first
    error.wait_for()  # in place, by htmx
    assert "Give the value it has now." in page.locator("form.check-in-form").inner_text()
    page.locator("#check-ins").screenshot(path=str(screenshot_dir / "check-in-error-390.png"))

    form = page.locator("form.check-in-form")
    form.get_by_label("Families planning weekly (families)").fill("175")
    form.get_by_label("4: fairly sure").check()
    form.get_by_label("Note").fill("The fridge scan is in beta.")
    form.get_by_role("button", name="Save check-in").click()  # the page reloads

    expect(page.locator(".message-success")).to_contain_text("Check-in saved.")
    expect(page.locator(".check-ins")).to_contain_text("The fridge scan is in beta.")
    expect(page.locator(".kr-chart:not(.confidence-chart) svg.chart")).to_have_count(1)
    expect(page.locator(".confidence-chart svg.chart")).to_have_count(1)
    assert KeyResult.objects.get(goal=goal).current == 175
    assert CheckIn.objects.get(goal=goal).confidence == 4
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "goal-check-ins-390.png"), full_page=True)
    page.locator("#check-ins").screenshot(path=str(screenshot_dir / "check-ins-section-390.png"))

    page.goto(f"{live_server.url}/products/{goal.product_id}/reviews/")
    expect(page.get_by_role("heading", name="Reviews of Meal Planner")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "review-meeting-390.png"), full_page=True)

    desktop = open_page(1280)
    sign_in(desktop, live_server.url, member.email)
    desktop.goto(f"{live_server.url}/goals/{goal.pk}/")
    desktop.screenshot(path=str(screenshot_dir / "goal-check-ins-1280.png"), full_page=True)
    desktop.goto(f"{live_server.url}/products/{goal.product_id}/reviews/")
    desktop.screenshot(path=str(screenshot_dir / "review-meeting-1280.png"), full_page=True)

    assert page_errors == []  # a style or script the CSP refused would be a console error
