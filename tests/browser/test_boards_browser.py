"""The alignment boards in a real browser: each page's key elements, the roadmap's drag by
pointer and keyboard (with the change-reason dialog and a stale version), the quality check
as you type, and screenshots at laptop and phone width (and as printed)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import (
    Goal,
    GoalLink,
    HealthSnapshot,
    KeyResult,
    Level,
    ProductRole,
    SprintVerdict,
    Status,
)
from tests.browser.pages import sign_in
from tests.factories import ProductFactory, UserFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": (1280, 900), "phone": (390, 844)}


def goal(product, level, title, *parents, **fields) -> Goal:
    made = Goal.objects.create(product=product, level=level, title=title, **fields)
    GoalLink.objects.bulk_create(GoalLink(child=made, parent=p) for p in parents)
    return made


@pytest.fixture
def world(db):
    """A healthy-eating product with a whole chain, a roadmap, sprints, a health history, and
    a second product in the same organisation for the portfolio."""
    product = ProductFactory(
        name="Meal Planner",
        organization__name="Acme Health",
        organization__business_strategy_html="<p>Become Europe's <strong>healthy-eating</strong> "
        "companion by 2030.</p>",
        target_group="Busy parents with young children\nStudents cooking for the first time",
        needs="Less time deciding what to cook\nLess food thrown away",
        product_summary="A weekly planner that knows what is in the fridge\nShopping lists "
        "that write themselves",
    )
    leader = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    today = timezone.localdate()
    month = today.replace(day=1)
    common = {"owner": leader, "status": Status.AGREED}
    vision = goal(
        product,
        Level.VISION,
        "Every family eats well without thinking about it",
        starts_on=month,
        ends_on=month + timedelta(days=6 * 365),
        **common,
    )
    user_goal = goal(
        product,
        Level.USER,
        "Families plan a week of meals in 10 minutes",
        vision,
        starts_on=month,
        ends_on=month + timedelta(days=540),
        **common,
    )
    business = goal(
        product,
        Level.BUSINESS,
        "Earn 2 M EUR a year from subscriptions",
        vision,
        starts_on=month,
        ends_on=month + timedelta(days=720),
        **common,
    )
    planner = goal(
        product,
        Level.PRODUCT,
        "Weekly planner that reads the fridge",
        user_goal,
        business,
        starts_on=month - timedelta(days=31),
        ends_on=month + timedelta(days=75),
        **common,
    )
    lists = goal(
        product,
        Level.PRODUCT,
        "Shopping lists that write themselves",
        user_goal,
        starts_on=month + timedelta(days=60),
        ends_on=month + timedelta(days=150),
        owner=leader,
        status=Status.DRAFT,
    )
    goal(
        product,
        Level.PRODUCT,
        "Improve recipe search",
        business,
        starts_on=month + timedelta(days=120),
        ends_on=month + timedelta(days=200),
        owner=leader,
    )
    for g, title, unit, base, target in [
        (user_goal, "Minutes to plan a week", "min", 45, 10),
        (business, "Yearly subscription revenue", "M EUR", 0, 2),
        (planner, "Weekly active planners", "families", 200, 2000),
        (planner, "Meals planned from the fridge", "%", 5, 40),
        (lists, "Lists sent to a shop", "lists", 0, 500),
    ]:
        KeyResult.objects.create(
            goal=g,
            title=title,
            unit=unit,
            baseline=Decimal(base),
            target=Decimal(target),
            current=Decimal(base),
            owner=leader,
        )
    # Two-week sprints from Monday to the Sunday after next; each starts the day after the
    # one before it ends (on a Monday, a sprint ending that day would still be running).
    sprint_start = today - timedelta(days=today.weekday())
    goal(
        product,
        Level.SPRINT,
        "Scan a fridge in under 30 seconds",
        planner,
        starts_on=sprint_start,
        ends_on=sprint_start + timedelta(days=13),
        confidence=4,
        **common,
    )
    for weeks, title, verdict, confidence in [
        (2, "Read barcodes of 20 brands", SprintVerdict.MET, 4),
        (4, "Suggest 3 meals from leftovers", SprintVerdict.NOT_MET, 2),
        (6, "Plan a week offline", SprintVerdict.MET, 5),
    ]:
        start = sprint_start - timedelta(weeks=weeks)
        goal(
            product,
            Level.SPRINT,
            title,
            planner,
            starts_on=start,
            ends_on=start + timedelta(days=13),
            confidence=confidence,
            sprint_verdict=verdict,
            **common,
        )
    HealthSnapshot.objects.bulk_create(
        HealthSnapshot(product=product, day=today - timedelta(days=d), score=s)
        for d, s in [(20, 40), (15, 45), (10, 55), (6, 60), (3, 70), (1, 72)]
    )
    second = ProductFactory(name="Recipe Box", organization=product.organization)
    goal(
        second, Level.VISION, "Anyone can cook a family recipe", owner=leader, status=Status.AGREED
    )
    add_member(second, leader, ProductRole.LEADER)
    return product, leader, {"planner": planner, "lists": lists}


def shoot(open_page, base_url, email, pages, screenshot_dir) -> None:
    """Open each (path, name, check) of `pages` at laptop and phone width, signed in once per
    width, check its key elements, and save screenshots (and on a laptop, a printout)."""
    for width, (w, h) in WIDTHS.items():
        page = open_page(w, h)
        sign_in(page, base_url, email)
        for path, name, check in pages:
            page.emulate_media(media="screen")
            page.goto(f"{base_url}{path}")
            check(page)
            page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"), full_page=True)
            if width == "laptop":
                page.emulate_media(media="print")
                expect(page.locator(".site-header")).to_be_hidden()
                page.screenshot(path=str(screenshot_dir / f"{name}-print.png"), full_page=True)


def test_the_boards_show_their_key_elements(
    live_server, world, open_page, page_errors, screenshot_dir
):
    product, leader, _ = world
    base, email = live_server.url, leader.email

    def health(page):
        expect(page.locator(".health-score-big .score-number")).to_have_text(re.compile(r"\d+"))
        expect(page.locator("svg.trend-chart polyline")).to_have_count(1)
        group = page.locator("#kind-vague_words")
        expect(group).to_contain_text("Say how far and by when")
        expect(group.get_by_role("link", name=re.compile("Improve recipe search"))).to_be_visible()
        expect(page.get_by_role("checkbox", name="Vague words")).to_be_checked()

    def vision_board(page):
        for box in ["Vision", "Target group", "Needs", "Product", "Business goals"]:
            expect(page.get_by_role("heading", name=box, exact=True)).to_be_visible()
        expect(page.locator(".board-vision")).to_contain_text("Every family eats well")
        expect(page.locator(".board-lines").first).to_contain_text("Busy parents")
        expect(page.locator(".level-business")).to_contain_text("Yearly subscription revenue")

    def roadmap(page):
        expect(page.locator("svg.bar")).to_have_count(3)
        expect(
            page.get_by_role("slider", name=re.compile("End of “Weekly planner"))
        ).to_be_visible()
        column = page.locator(".go-column", has_text="Weekly planner that reads the fridge")
        for label in ["Date", "Name", "Goal", "Features", "Metrics"]:
            expect(column.locator(".go-label", has_text=label)).to_be_visible()
        expect(column).to_contain_text("Scan a fridge in under 30 seconds")
        expect(column).to_contain_text("Weekly active planners")

    def sprints(page):
        expect(page.locator(".sprint-card", has_text="Scan a fridge")).to_contain_text(
            "Weekly planner that reads the fridge"
        )
        expect(page.locator(".sprint-table tbody tr")).to_have_count(3)
        expect(page.locator(".verdict-met")).to_have_count(2)
        expect(page.locator(".sprint-summary")).to_contain_text("2 of 3")

    def portfolio(page):
        expect(page.locator(".portfolio-product")).to_have_count(2)
        expect(page.locator(".portfolio-strategy")).to_contain_text("healthy-eating")
        row = page.locator("tr", has_text="Meal Planner")
        expect(row.locator(".score-number")).to_have_text(re.compile(r"\d+"))
        expect(row).to_contain_text("Every family eats well")

    pages = [
        (f"/products/{product.pk}/health/", "health", health),
        (f"/products/{product.pk}/vision-board/", "vision-board", vision_board),
        (f"/products/{product.pk}/roadmap/", "roadmap", roadmap),
        (f"/products/{product.pk}/sprints/", "sprints", sprints),
        (f"/organizations/{product.organization_id}/portfolio/", "portfolio", portfolio),
    ]
    shoot(open_page, base, email, pages, screenshot_dir)
    assert page_errors == []


def test_a_goal_is_moved_on_the_roadmap_by_keyboard_and_pointer(
    live_server, world, open_page, page_errors, screenshot_dir
):
    product, leader, goals = world
    lists, planner = goals["lists"], goals["planner"]
    page = open_page(1280)
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/products/{product.pk}/roadmap/")
    status = page.locator("[data-roadmap-status]")

    # Keyboard: a draft goal's end, one week later, saved with Enter.
    end = page.get_by_role("slider", name="End of “Shopping lists that write themselves”")
    end.focus()
    page.keyboard.press("ArrowRight")
    expect(status).to_have_text("Press Enter to save, Escape to undo.")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Saved: “Shopping lists that write themselves” now runs")
    lists.refresh_from_db()
    assert (lists.ends_on - lists.starts_on).days == 90 + 7
    timeframe = page.locator(f'[data-timeframe-of="{lists.pk}"]')
    expect(timeframe).to_contain_text(f"{lists.ends_on.day} {lists.ends_on:%b %Y}")

    # Pointer: the agreed planner's end dragged right asks why, and keeps the reason.
    handle = page.get_by_role("slider", name="End of “Weekly planner that reads the fridge”")
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    dialog = page.get_by_role("dialog", name="Change an agreed goal")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Save the new timeframe").click()
    expect(dialog.locator("[data-reason-error]")).to_be_visible()  # a reason is needed
    page.screenshot(path=str(screenshot_dir / "roadmap-reason-dialog.png"))
    dialog.get_by_label("Why are you changing an agreed goal?").fill("The fridge camera is late")
    dialog.get_by_role("button", name="Save the new timeframe").click()
    expect(status).to_contain_text("Saved: “Weekly planner that reads the fridge”")
    moved = Goal.objects.get(pk=planner.pk)
    assert moved.ends_on > planner.ends_on
    assert moved.changes.filter(reason="The fridge camera is late").exists()

    # Someone else changes the planner meanwhile: the next change is refused and said so.
    Goal.objects.filter(pk=planner.pk).update(version=moved.version + 1)
    start = page.get_by_role("slider", name="Start of “Weekly planner that reads the fridge”")
    start.focus()
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Enter")
    dialog.get_by_label("Why are you changing an agreed goal?").fill("Start a day early")
    dialog.get_by_role("button", name="Save the new timeframe").click()
    error = page.locator("[data-roadmap-error]")
    expect(error).to_contain_text("Someone else changed “Weekly planner that reads the fridge”")
    expect(error).to_contain_text("is not saved")
    assert Goal.objects.get(pk=planner.pk).starts_on == moved.starts_on
    page.screenshot(path=str(screenshot_dir / "roadmap-conflict-1280.png"), full_page=True)
    # The refused change is the point here; browsers log every 4xx fetch to the console.
    assert [e for e in page_errors if "409 (Conflict)" not in e] == []


def test_the_quality_check_speaks_as_you_type(
    live_server, world, open_page, page_errors, screenshot_dir
):
    product, leader, _ = world
    vision = Goal.objects.get(product=product, level=Level.VISION)
    for width, (w, h) in WIDTHS.items():
        page = open_page(w, h)
        sign_in(page, live_server.url, leader.email)
        page.goto(f"{live_server.url}/products/{product.pk}/")
        page.get_by_role("link", name=re.compile("User goal under “Every family")).click()
        form = page.locator("form.add-form")
        form.get_by_label("Title").fill("Launch the meal planner")
        advice = form.locator(".quality-findings")
        expect(advice).to_contain_text("Output, not outcome")
        expect(advice).to_contain_text("Name the change you want to see")
        form.screenshot(path=str(screenshot_dir / f"quality-check-{width}.png"))
        form.get_by_label("Title").fill("Families plan a week of meals in 10 minutes")
        expect(advice).to_have_count(0)

    page.goto(f"{live_server.url}/goals/{vision.pk}/")
    page.locator("#edit").get_by_label("Title").fill("The best meal-planning app")
    expect(page.locator("#edit .quality-findings")).to_contain_text("Vision names a feature")
    page.locator("#edit").screenshot(path=str(screenshot_dir / "quality-check-goal-edit.png"))
    assert page_errors == []


def test_a_form_opened_in_place_listens_from_the_moment_it_appears(
    live_server, world, open_page, page_errors
):
    """Text typed the instant an htmx-loaded form appears is still checked: htmx wires up
    swapped-in content in the same task that shows it (no settle delay in between)."""
    product, leader, _ = world
    page = open_page(1280)
    sign_in(page, live_server.url, leader.email)
    page.goto(f"{live_server.url}/products/{product.pk}/")
    # Type as soon as the form is in the page: in the observer's microtask, before any timer.
    page.evaluate(
        """() => new MutationObserver((records, observer) => {
            const title = document.querySelector("form.add-form input[name$='title']");
            if (!title) return;
            observer.disconnect();
            title.value = "Launch the meal planner";
            title.dispatchEvent(new Event("input", { bubbles: true }));
        }).observe(document.body, { childList: true, subtree: true })"""
    )
    page.get_by_role("link", name=re.compile("User goal under “Every family")).click()
    form = page.locator("form.add-form")
    expect(form.get_by_label("Title")).to_have_value("Launch the meal planner")
    expect(form.locator(".quality-findings")).to_contain_text("Output, not outcome")
    assert page_errors == []
