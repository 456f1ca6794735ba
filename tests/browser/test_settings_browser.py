"""Your settings in Chromium: the name in the header opens them, and their tabs lead from
email to security to API tokens to the calendar, at a laptop's width and a phone's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_header_opens_the_settings_and_their_tabs_lead_between_them(
    live_server, open_page, page_errors, screenshot_dir, width
):
    person = UserFactory(display_name="Ada Lovelace")
    page = open_page(width=width)
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/")

    page.get_by_role("link", name="your settings").click()
    expect(page.get_by_role("heading", name="Email settings", level=1)).to_be_visible()
    tabs = page.get_by_role("navigation", name="Your settings")
    expect(tabs.get_by_role("link", name="Email")).to_have_attribute("aria-current", "page")

    tabs.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Security settings", level=1)).to_be_visible()
    expect(tabs.get_by_role("link", name="Security")).to_have_attribute("aria-current", "page")
    page.screenshot(path=str(screenshot_dir / f"settings-security-{width}.png"), full_page=True)

    tabs.get_by_role("link", name="API tokens").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(tabs.get_by_role("link", name="API tokens")).to_have_attribute("aria-current", "page")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Four tabs: on a phone they wrap, none hidden past the edge.
    calendar = tabs.get_by_role("link", name="Calendar")
    box = calendar.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    calendar.click()
    expect(page.get_by_role("heading", name="Calendar", level=1)).to_be_visible()
    expect(calendar).to_have_attribute("aria-current", "page")
    assert page_errors == []
