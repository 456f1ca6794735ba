"""Moving a goalpost visibly, and closing a sprint with its verdict, in a real browser."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import Goal, GoalChange, KeyResult, Level, ProductRole, SprintVerdict, Status
from tests.browser.pages import sign_in
from tests.factories import KeyResultFactory, ProductFactory, UserFactory, add_member, make_goal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The pilot city doubled our reach."


@pytest.fixture
def chain(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    member = add_member(product, UserFactory(display_name="Tom Team"), ProductRole.TEAM)
    today = timezone.localdate()
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    user_goal = make_goal(product, Level.USER, vision, status=Status.AGREED, title="Plan fast")
    goal = make_goal(
        product, Level.PRODUCT, user_goal, status=Status.AGREED, owner=member,
        title="Grow the weekly planner", starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=70),
    )  # fmt: skip
    cooks = KeyResultFactory(
        goal=goal, title="Weekly active cooks", unit="cooks", owner=member,
        baseline=Decimal(1000), target=Decimal(5000), current=Decimal(1000),
        due_on=today + timedelta(days=70),
    )  # fmt: skip
    sprint = make_goal(
        product, Level.SPRINT, goal, status=Status.AGREED, owner=member,
        title="Scan a fridge", starts_on=today - timedelta(days=14), ends_on=today,
        next_review_on=today + timedelta(days=3),
    )  # fmt: skip
    return leader, member, goal, cooks, sprint


def test_moving_a_target_on_an_agreed_goal_asks_why_and_shows_it_in_the_history(
    live_server, chain, open_page, page_errors, screenshot_dir
):
    leader, _, goal, cooks, _ = chain
    page = open_page(1280, 900)
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/goals/{goal.pk}/")

    page.get_by_role("link", name="Edit “Weekly active cooks”").click()
    form = page.locator("form[aria-labelledby='kr-edit-title']")
    reason = form.get_by_label("Why are you changing a key result of an agreed goal?")
    expect(reason).to_be_visible()
    form.get_by_label("Target").fill("6000")
    form.get_by_role("button", name="Save key result").click()

    form = page.locator("form[aria-labelledby='kr-edit-title']")
    expect(form.locator(".errorlist")).to_contain_text(
        "This goal is agreed: say why you change this key result's target."
    )
    page.locator("#key-results").screenshot(path=str(screenshot_dir / "kr-reason-error.png"))
    assert KeyResult.objects.get(pk=cooks.pk).target == 5000

    form.get_by_label("Why are you changing a key result of an agreed goal?").fill(REASON)
    form.get_by_role("button", name="Save key result").click()
    expect(page.locator("#key-results")).to_contain_text("Key result saved.")
    assert KeyResult.objects.get(pk=cooks.pk).target == 6000

    page.reload()
    history = page.locator("ol.history li").first
    expect(history).to_contain_text("Key result “Weekly active cooks”: target")
    expect(history.locator("del")).to_have_text("5,000")
    expect(history.locator("ins")).to_have_text("6,000")
    expect(history).to_contain_text(f"Why: {REASON}")
    history.screenshot(path=str(screenshot_dir / "kr-change-history.png"))
    assert GoalChange.objects.filter(goal=goal, reason=REASON).exists()
    assert page_errors == []


def test_a_sprint_verdict_closes_the_sprint_goal_in_the_same_step(
    live_server, chain, open_page, page_errors, screenshot_dir
):
    _, member, _, _, sprint = chain
    page = open_page(1280, 900)
    sign_in(page, live_server.url, member.email)
    page.goto(f"{live_server.url}/goals/{sprint.pk}/")

    form = page.get_by_role("form", name="Sprint verdict of “Scan a fridge”")
    form.get_by_label("Not met").check()
    form.get_by_label("Also close this sprint goal: as achieved if met, as missed if not").check()
    form.get_by_role("button", name="Save verdict").click()
    form = page.get_by_role("form", name="Sprint verdict of “Scan a fridge”")
    expect(form.locator(".errorlist")).to_contain_text("Write a short outcome note")
    assert Goal.objects.get(pk=sprint.pk).sprint_verdict == ""

    form.get_by_label("Outcome note").fill("The camera flow took the whole sprint.")
    form.screenshot(path=str(screenshot_dir / "sprint-verdict-close.png"))
    form.get_by_role("button", name="Save verdict").click()

    expect(page.locator(".outcome-missed")).to_contain_text(
        "The camera flow took the whole sprint."
    )
    stored = Goal.objects.get(pk=sprint.pk)
    assert (stored.status, stored.sprint_verdict) == (Status.MISSED, SprintVerdict.NOT_MET)
    assert stored.next_review_on is None
    page.screenshot(path=str(screenshot_dir / "sprint-closed-with-verdict.png"), full_page=True)
    assert page_errors == []
