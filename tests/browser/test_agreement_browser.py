"""Agreeing a goal on its page: recording an agreement reached elsewhere, and marking it
agreed from a feedback round everyone supported."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goals.models import (
    AgreementWay,
    FeedbackAnswer,
    Goal,
    Level,
    ProductRole,
    Status,
)
from tests.browser.pages import sign_in
from tests.factories import (
    ProductFactory,
    UserFactory,
    add_member,
    make_closed_round,
    make_goal,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    member = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    stakeholder = add_member(
        product, UserFactory(display_name="Sam Stakeholder"), ProductRole.STAKEHOLDER
    )
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    draft = make_goal(product, Level.USER, vision, title="Plan a week in ten minutes")
    return leader, member, stakeholder, draft


def test_a_leader_records_an_agreement_by_clicking(
    live_server, people, open_page, page_errors, screenshot_dir
):
    leader, member, stakeholder, draft = people
    page = open_page()
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/goals/{draft.pk}/")
    status = page.get_by_label("Status")
    assert "agreed" not in status.locator("option").evaluate_all("els => els.map(e => e.value)")

    panel = page.locator("#agreement")
    panel.get_by_text("Record an agreement").click()
    panel.get_by_role("button", name="Record the agreement").click()
    expect(page.locator("#agreement")).to_contain_text("Choose the people who agreed.")
    expect(page.locator("#agreement")).to_contain_text("Say where and why it was agreed.")
    # A page with form errors answers 400, which Chromium logs; nothing else may be logged.
    assert page_errors == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page_errors.clear()

    panel = page.locator("#agreement")
    panel.get_by_role("group", name="Who agreed").get_by_label(f"Tom Team ({member.email})").check()
    panel.get_by_label(f"Sam Stakeholder ({stakeholder.email})").check()
    panel.get_by_label("Where and why was it agreed?").fill("Agreed at the spring offsite.")
    panel.screenshot(path=str(screenshot_dir / "agreement-record.png"))
    panel.get_by_role("button", name="Record the agreement").click()

    expect(page.locator(".message-success")).to_contain_text(
        "“Plan a week in ten minutes” is agreed"
    )
    expect(page.locator(".page-head .pill")).to_have_text("Agreed")
    expect(page.locator(".history")).to_contain_text(
        "Recorded an agreement reached elsewhere: agreed by Sam Stakeholder, Tom Team — "
        "Agreed at the spring offsite."
    )
    expect(page.locator("#agreement")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "agreement-recorded.png"), full_page=True)
    draft.refresh_from_db()
    assert (draft.status, draft.agreed_via) == (Status.AGREED, AgreementWay.RECORD)
    assert page_errors == []


def test_a_team_member_marks_a_goal_agreed_from_a_round(
    live_server, people, open_page, page_errors, screenshot_dir
):
    leader, member, stakeholder, draft = people
    make_closed_round(
        draft, leader, {member: FeedbackAnswer.SUPPORT, stakeholder: FeedbackAnswer.SUPPORT}
    )
    page = open_page()
    sign_in(page, live_server.url, member.email)
    page.goto(f"{live_server.url}/goals/{draft.pk}/")
    panel = page.locator("#agreement")
    expect(panel).to_contain_text("Everyone asked in the feedback round")
    expect(panel.get_by_text("Record an agreement")).to_have_count(0)  # a user goal
    panel.screenshot(path=str(screenshot_dir / "agreement-round.png"))
    panel.get_by_role("button", name="Mark agreed from this round").click()

    expect(page.locator(".message-success")).to_contain_text("everyone asked in the round")
    expect(page.locator(".history")).to_contain_text(
        "Agreed after feedback round (everyone asked supported)."
    )
    assert Goal.objects.get(pk=draft.pk).agreed_via == AgreementWay.FEEDBACK_ROUND
    assert page_errors == []
