"""The Calendar tab of the settings in Chromium: make the link, copy it, subscribe to it,
replace it and stop the feed."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.pages import planner_goal, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.mark.parametrize("width", [1280, 375])
def test_a_person_makes_copies_replaces_and_stops_their_calendar_link(
    live_server, settings, open_page, page_errors, screenshot_dir, width
):
    settings.SITE_URL = live_server.url
    tom, goal, _ = planner_goal(started_days_ago=20, days_left=40, target=300)
    page = open_page(width=width)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server.url, tom.email)
    page.goto(f"{live_server.url}/settings/tokens/")
    page.get_by_role("navigation", name="Your settings").get_by_role(
        "link", name="Calendar"
    ).click()

    expect(page.get_by_role("heading", name="Calendar", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Calendar")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("You have no calendar link.")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / f"calendar-none-{width}.png"), full_page=True)

    page.get_by_role("button", name="Create my calendar link").click()

    expect(page.get_by_role("status").filter(has_text="Made your calendar link.")).to_be_visible()
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    first = page.evaluate("navigator.clipboard.readText()")
    assert first == page.get_by_label("Calendar link", exact=True).input_value()
    assert first.startswith(f"{live_server.url}/calendar/") and first.endswith(".ics")
    page.screenshot(path=str(screenshot_dir / f"calendar-created-{width}.png"), full_page=True)
    status, text = fetch(first)
    assert status == 200
    assert f"SUMMARY:Review: {goal.title}" in text.replace("\r\n ", "")

    page.reload()  # shown once: gone now, and no second link was made
    expect(page.get_by_label("Calendar link", exact=True)).to_have_count(0)
    assert fetch(first)[0] == 200
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Get a new link").click()

    expect(
        page.get_by_role("status").filter(has_text="the old one no longer works")
    ).to_be_visible()
    second = page.get_by_label("Calendar link", exact=True).input_value()
    assert second != first
    assert fetch(first)[0] == 404
    assert fetch(second)[0] == 200

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stop the feed").click()

    expect(page.get_by_role("status").filter(has_text="Stopped your calendar feed")).to_be_visible()
    expect(page.get_by_role("button", name="Create my calendar link")).to_be_visible()
    assert fetch(second)[0] == 404
    page.screenshot(path=str(screenshot_dir / f"calendar-stopped-{width}.png"), full_page=True)
    assert page_errors == []


def test_the_controls_work_from_the_keyboard(live_server, settings, open_page, page_errors):
    settings.SITE_URL = live_server.url
    tom, _, _ = planner_goal(started_days_ago=20, days_left=40, target=300)
    page = open_page(width=375)
    sign_in(page, live_server.url, tom.email)
    page.goto(f"{live_server.url}/settings/calendar/")

    page.get_by_role("button", name="Create my calendar link").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Calendar link", exact=True)).to_be_visible()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Stop the feed").focus()
    page.keyboard.press("Enter")

    # Dismissing the question keeps the feed.
    expect(page.get_by_role("button", name="Stop the feed")).to_be_visible()
    assert fetch(page.get_by_label("Calendar link", exact=True).input_value())[0] == 200
    assert page_errors == []
