"""Values from data in Chromium: a leader makes a metric token (its secret shown once, copied
with the example of a push), a script pushes with it, the leader revokes it; a team member
gives a key result a data source and reads its last fetch and last error."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from goals.models import MetricSource, ProductRole
from tests.browser.pages import planner_goal, sign_in
from tests.factories import UserFactory, add_member
from tests.receiver import Reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def push(base_url: str, key_result_id: int, secret: str, value: float) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base_url}/api/key-results/{key_result_id}/values/",
        data=json.dumps({"value": value}).encode(),
        headers={"Authorization": f"Token {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_leader_creates_copies_and_revokes_a_metric_token(
    live_server, open_page, page_errors, screenshot_dir, width
):
    _member, goal, key_result = planner_goal(started_days_ago=10, days_left=50, target=300)
    lea = add_member(goal.product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    page = open_page(width=width)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server.url, lea.email)
    page.goto(f"{live_server.url}/products/{goal.product_id}/members/")
    page.get_by_role("link", name="metric tokens").click()
    expect(page.get_by_role("heading", name="Meal Planner", level=1)).to_be_visible()
    expect(page.get_by_text("Meal Planner has no metric tokens.")).to_be_visible()

    page.get_by_label("Name").fill("Nightly warehouse export")
    page.get_by_role("button", name="Create metric token").click()

    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    secret = page.get_by_label("The new metric token").input_value()
    assert secret.startswith("gcm_")
    page.get_by_role("button", name="Copy").first.click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    example = page.get_by_label("Example of a push").input_value()
    assert f"/api/key-results/{key_result.pk}/values/" in example
    assert f"Authorization: Token {secret}" in example
    page.get_by_role("button", name="Copy").nth(1).click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_have_count(2)
    assert page.evaluate("navigator.clipboard.readText()") == example
    page.screenshot(path=str(screenshot_dir / f"metric-token-created-{width}.png"), full_page=True)

    assert push(live_server.url, key_result.pk, secret, 180)[0] == 201
    page.goto(f"{live_server.url}/goals/{goal.pk}/")
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history.locator("li").first).to_contain_text("Nightly warehouse export")
    expect(history.locator("li").first).to_contain_text("Key result “Families planning weekly”")
    history.screenshot(path=str(screenshot_dir / f"metric-history-{width}.png"))

    page.goto(f"{live_server.url}/products/{goal.product_id}/metric-tokens/")
    # the secret is gone and the use shows
    expect(page.get_by_label("The new metric token")).to_have_count(0)
    assert secret not in page.get_by_label("Example of a push").input_value()
    row = page.get_by_role("row", name="Nightly warehouse export")
    expect(row.get_by_role("cell").nth(2)).not_to_have_text("Never")
    expect(page.get_by_role("row", name="Families planning weekly")).to_contain_text("180")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke “Nightly warehouse export”").click()
    expect(page.get_by_role("status").filter(has_text="Revoked the metric token")).to_be_visible()
    expect(page.get_by_text("Meal Planner has no metric tokens.")).to_be_visible()

    status, body = push(live_server.url, key_result.pk, secret, 190)
    assert status == 401
    assert body == {"detail": "This metric token is unknown or was revoked."}
    assert page_errors == []


@pytest.mark.parametrize("width", [1280, 375])
def test_a_team_member_sets_a_data_source_and_sees_its_last_read_and_error(
    live_server, open_page, page_errors, screenshot_dir, receiver, width
):
    member, goal, _key_result = planner_goal(started_days_ago=10, days_left=50, target=300)
    url = receiver.answer(
        "/planners.json",
        Reply(body=b'{"data": [{"families": 212}]}', content_type="application/json"),
        Reply(status=500, body=b"down"),
    )
    page = open_page(width=width)
    sign_in(page, live_server.url, member.email)
    page.goto(f"{live_server.url}/goals/{goal.pk}/")
    page.get_by_role("link", name="Edit “Families planning weekly”").click()
    section = page.locator("#data-source")
    expect(section.get_by_role("heading", name="Data source")).to_be_visible()

    section.get_by_label("Address").fill(url)
    section.get_by_label("JSON").check()
    section.get_by_label("Every hour").check()
    section.get_by_label("Where the value is").fill("/data/0/families")
    section.get_by_role("button", name="Save data source").click()

    expect(page.get_by_role("status").filter(has_text="Saved the data source")).to_be_visible()
    section = page.locator("#data-source")
    expect(section.get_by_text(url)).to_be_visible()
    expect(section.get_by_text("Not yet")).to_have_count(0)  # read at once, after the save
    expect(page.get_by_role("row", name="Families planning weekly")).to_contain_text("212")
    page.locator("#check-ins").screenshot(path=str(screenshot_dir / f"data-chart-{width}.png"))

    section.get_by_role("button", name="Fetch now").click()

    expect(page.get_by_role("alert").filter(has_text="could not be read")).to_be_visible()
    section = page.locator("#data-source")
    expect(section.get_by_text("The last read failed:")).to_be_visible()
    expect(section).to_contain_text("The address answered with HTTP status 500, not a value.")
    section.screenshot(path=str(screenshot_dir / f"data-source-{width}.png"))

    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Remove data source").click()
    expect(page.get_by_role("status").filter(has_text="Removed the data source")).to_be_visible()
    assert not MetricSource.objects.exists()
    assert page_errors == []


def test_the_data_source_form_says_what_is_wrong(live_server, open_page, page_errors):
    member, _goal, key_result = planner_goal(started_days_ago=10, days_left=50, target=300)
    page = open_page()
    sign_in(page, live_server.url, member.email)
    page.goto(f"{live_server.url}/key-results/{key_result.pk}/")

    section = page.locator("#data-source")
    section.get_by_label("Address").fill("http://127.0.0.1/metrics")
    section.get_by_label("CSV").check()
    section.get_by_role("button", name="Save data source").click()

    section = page.locator("#data-source")
    expect(section.get_by_text("127.0.0.1 is a private, loopback or link-local")).to_be_visible()
    expect(section.get_by_text("Name the column of the CSV table")).to_be_visible()
    assert page_errors == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
