"""A mis-planned workshop in a real browser: the rule shown fixed for a user goal, a workshop
that was not held rescheduled from the list, and another cancelled with its reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.browser.test_workshop_browser import shoot
from workshops.models import Phase, Workshop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def test_a_leader_sees_the_fixed_rule_reschedules_and_cancels(
    asgi_live_server, planned, open_page, page_errors, screenshot_dir
):
    product, lea, missed = planned
    server = asgi_live_server
    page = open_page(1280)
    sign_in(page, server.url, lea.email)

    # Planning a user-goal workshop shows the rule as fixed, not as a choice.
    page.goto(f"{server.url}/products/{product.pk}/workshops/new/")
    page.get_by_label("What the workshop agrees on").select_option("user")
    fixed = page.get_by_text("Unanimous — fixed for vision, user and business goals")
    expect(fixed).to_be_visible()
    expect(page.locator("select[name=decision_rule]")).to_have_count(0)
    shoot(page, screenshot_dir / "workshop-new-user-goal-1280.png")

    # The workshop whose time passed is listed as not held, with Reschedule and Cancel.
    page.goto(f"{server.url}/products/{product.pk}/workshops/")
    not_held = page.locator("section", has=page.get_by_role("heading", name="Not held"))
    expect(not_held).to_contain_text("Roadmapping Q1")
    shoot(page, screenshot_dir / "workshop-list-not-held-1280.png")
    not_held.get_by_role("link", name="Reschedule “Roadmapping Q1”").click()
    expect(page.get_by_role("heading", name="Edit workshop")).to_be_visible()
    page.get_by_label("When").fill("2031-03-04T10:30")
    page.get_by_label("Title").fill("Roadmapping Q1, rescheduled")
    shoot(page, screenshot_dir / "workshop-edit-1280.png")
    page.get_by_role("button", name="Save the workshop").click()
    expect(page.locator(".message-success")).to_contain_text("The workshop is saved.")
    expect(page.get_by_role("heading", name="Roadmapping Q1, rescheduled")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("4 Mar 2031")
    page.goto(f"{server.url}/products/{product.pk}/workshops/")
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    expect(upcoming).to_contain_text("Roadmapping Q1, rescheduled")
    expect(page.get_by_role("heading", name="Not held")).to_have_count(0)

    # From the room: cancel it, saying why; the reason is required.
    upcoming.get_by_role("link", name="Roadmapping Q1, rescheduled").click()
    page.get_by_role("link", name="Cancel workshop").click()
    page.get_by_role("button", name="Cancel workshop").click()
    expect(page.locator("#id_reason_error")).to_contain_text("Say why the workshop is cancelled")
    assert page_errors == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page_errors.clear()
    page.get_by_label("Why is it cancelled?").fill("The offsite moved to April.")
    shoot(page, screenshot_dir / "workshop-cancel-1280.png")
    page.get_by_role("button", name="Cancel workshop").click()
    expect(page.locator("#room-phase")).to_contain_text(
        "This workshop was cancelled by Lea Leader: The offsite moved to April."
    )
    expect(page.get_by_role("link", name="Edit workshop")).to_have_count(0)
    shoot(page, screenshot_dir / "workshop-cancelled-room-1280.png")
    assert server.db(lambda: Workshop.objects.get(pk=missed.pk).phase) == Phase.CANCELLED
    assert page_errors == []
