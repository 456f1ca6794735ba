"""The goal page's charts read at a phone's and a laptop's width, with their values a click
away; the review meeting charts confidence too."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import CheckIn, CheckInValue, KeyResult
from tests.browser.pages import planner_goal
from tests.browser.test_chain_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def goal(db):
    member, goal, kr = planner_goal(started_days_ago=40, days_left=50, target=4000)
    now = timezone.now()
    history = [(30, 0, 3, 900), (12, 0, 4, 1500), (3, 6, 2, 1700), (3, 0, 3, 2100)]
    previous = Decimal(100)
    for days, hours, confidence, value in history:  # two check-ins on one day, 6 hours apart
        entry = CheckIn.objects.create(goal=goal, author=member, confidence=confidence)
        CheckIn.objects.filter(pk=entry.pk).update(
            created_at=now - timedelta(days=days, hours=hours)
        )
        CheckInValue.objects.create(check_in=entry, key_result=kr, previous=previous, value=value)
        previous = Decimal(value)
    KeyResult.objects.filter(pk=kr.pk).update(current=previous)
    return member, goal


@pytest.mark.parametrize("width, least", [(390, 300), (1280, 500)])
def test_it_draws_readable_charts_and_opens_their_values(
    live_server, goal, open_page, page_errors, screenshot_dir, width, least
):
    member, goal = goal
    page = open_page(width, 900)
    sign_in(page, live_server.url, member.email)
    page.goto(f"{live_server.url}/goals/{goal.pk}/")

    progress = page.locator(".kr-chart", has_text="Families planning weekly")
    confidence = page.locator(".confidence-chart")
    for figure in (progress, confidence):
        box = figure.locator("svg.chart").bounding_box()
        column = figure.locator("xpath=..").bounding_box()
        assert box["width"] >= min(least, column["width"] - 1)
        assert box["height"] >= 180 if width == 390 else box["height"] >= 200
    expect(progress.locator(".chart-value-label")).to_have_text(
        ["baseline 100 families", "target 4,000 families"]
    )
    assert progress.locator(".chart-axis ~ text.chart-label").count() >= 2  # dates on the axis
    xs = [float(x) for x in progress.locator(".chart-dot").evaluate_all(
        "dots => dots.map(d => d.getAttribute('cx'))"
    )]  # fmt: skip
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # one day's check-ins apart

    progress.get_by_text("The values").click()
    expect(progress.locator(".chart-data tbody tr")).to_have_count(4)
    expect(progress.locator(".chart-data tbody tr").last).to_contain_text("2,100 families")
    confidence.get_by_text("The values").click()
    expect(confidence.locator(".chart-data tbody tr").last).to_contain_text("3 of 5")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#check-ins").screenshot(path=str(screenshot_dir / f"charts-{width}.png"))
    progress.locator("svg").screenshot(path=str(screenshot_dir / f"progress-chart-{width}.png"))

    page.goto(f"{live_server.url}/products/{goal.product_id}/reviews/")
    meeting = page.locator(".review-item .confidence-chart")
    expect(meeting).to_have_count(1)
    meeting.get_by_text("The values").click()
    expect(meeting.locator(".chart-data tbody tr")).to_have_count(4)
    page.locator(".review-item").first.screenshot(
        path=str(screenshot_dir / f"review-confidence-{width}.png")
    )
    assert page_errors == []  # a style or script the CSP refused would be a console error
