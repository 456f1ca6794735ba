"""The API docs page works under the app's Content Security Policy. In real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_chain_browser import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_without_policy_errors(live_server, open_page, page_errors):
    user = UserFactory()
    page = open_page(1280)
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name="Goal Chain API")).to_be_visible()
    page.get_by_role("button", name="GET /api/goals/", exact=False).first.click()
    expect(page.get_by_text("page_size").first).to_be_visible()
    assert page_errors == []
