"""The API tokens page in Chromium: create a token, copy it, use it, revoke it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_status(base_url: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base_url}/api/tokens/", headers={"Authorization": f"Token {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_person_creates_copies_uses_and_revokes_a_token(
    live_server, open_page, page_errors, screenshot_dir, width
):
    person = UserFactory(display_name="Ada")
    page = open_page(width=width)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/settings/tokens/")
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()

    page.get_by_label("Name").fill("Nightly export")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    secret = page.evaluate("navigator.clipboard.readText()")
    assert secret == page.get_by_label("The new token").input_value()
    assert secret.startswith("gc_")
    row = page.get_by_role("row", name="Nightly export")
    expect(row).to_contain_text("Read only")
    expect(row).to_contain_text("Never")
    page.screenshot(path=str(screenshot_dir / f"tokens-created-{width}.png"), full_page=True)

    status, body = api_status(live_server.url, secret)
    assert status == 200
    assert [token["name"] for token in body["results"]] == ["Nightly export"]

    page.reload()  # the secret is gone, no second token was made, and the last use shows
    expect(page.get_by_label("The new token")).to_have_count(0)
    expect(page.get_by_role("row", name="Nightly export")).to_have_count(1)
    last_used = page.get_by_role("row", name="Nightly export").get_by_role("cell").nth(3)
    expect(last_used).not_to_have_text("Never")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke “Nightly export”").click()
    expect(
        page.get_by_role("status").filter(has_text="Revoked the token “Nightly export”")
    ).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()

    status, body = api_status(live_server.url, secret)
    assert status == 401
    assert body == {"detail": "This token is unknown or was revoked."}
    assert page_errors == []


def test_the_form_says_what_is_wrong(live_server, open_page, page_errors):
    person = UserFactory()
    page = open_page()
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/settings/tokens/")

    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_text("Give the token a name, e.g. what will use it.")).to_be_visible()
    assert page_errors == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
