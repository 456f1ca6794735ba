"""The integrations page in Chromium: a leader adds a signed hook, copies its secret, sends a
test message, switches the hook off and removes it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from goals.models import ProductRole
from tests.browser.pages import sign_in
from tests.factories import ProductFactory, UserFactory, add_member
from tests.receiver import Reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_a_leader_adds_tries_switches_off_and_removes_a_hook(
    live_server, open_page, page_errors, screenshot_dir, receiver, width
):
    product = ProductFactory(name="Meal Planner")
    lea = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    address = receiver.answer("/goal-chain", Reply(status=200))
    page = open_page(width=width)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server.url, lea.email)
    page.goto(f"{live_server.url}/products/{product.pk}/members/")
    page.get_by_role("link", name="Open the integrations").click()
    expect(page.get_by_role("heading", name="Meal Planner", level=1)).to_be_visible()
    expect(page.get_by_text("No hooks yet")).to_be_visible()

    page.get_by_label("Standard Webhooks (signed JSON)").check()
    page.get_by_label("Address").fill(address)
    page.get_by_label("A goal changes").check()
    page.get_by_role("button", name="Add hook").click()

    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    secret = page.evaluate("navigator.clipboard.readText()")
    assert secret.startswith("whsec_")
    row = page.get_by_role("row").filter(has_text=address)
    expect(row).to_contain_text("4 of 10")  # three chosen at first, and the one checked
    expect(row).to_contain_text("On")
    page.screenshot(path=str(screenshot_dir / f"integrations-{width}.png"), full_page=True)

    row.get_by_role("link").click()
    page.get_by_role("button", name="Send a test message").click()
    expect(page.get_by_text("The test message was delivered (200).")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="ping")).to_contain_text("Delivered (200)")
    (ping,) = receiver.to("/goal-chain")
    assert json.loads(ping.body)["type"] == "ping"

    page.get_by_label("On: send these events").uncheck()
    page.get_by_role("button", name="Save hook").click()
    expect(page.get_by_text("Saved the hook.")).to_be_visible()
    expect(page.locator(".page-head .state")).to_have_text("Off")
    page.screenshot(path=str(screenshot_dir / f"webhook-{width}.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove hook").click()
    expect(page.get_by_text("Removed the hook: nothing more is sent to it.")).to_be_visible()
    expect(page.get_by_text("No hooks yet")).to_be_visible()
    assert page_errors == []


def test_the_form_names_what_is_wrong_beside_the_fields(live_server, open_page, page_errors):
    product = ProductFactory(name="Meal Planner")
    lea = add_member(product, UserFactory(), ProductRole.LEADER)
    page = open_page()
    sign_in(page, live_server.url, lea.email)
    page.goto(f"{live_server.url}/products/{product.pk}/integrations/")
    page.get_by_label("Slack").check()
    page.get_by_label("Address").fill("http://169.254.169.254/latest/meta-data/")
    for box in page.get_by_role("checkbox").all():
        if box.get_attribute("name") == "events":
            box.uncheck()
    page.get_by_role("button", name="Add hook").click()
    expect(page.get_by_text("private, loopback or link-local address")).to_be_visible()
    expect(page.get_by_text("Choose at least one event to send.")).to_be_visible()
    expect(page.get_by_label("Address")).to_have_value("http://169.254.169.254/latest/meta-data/")
    assert page_errors == [  # the page answers 400, as every form with errors does
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
