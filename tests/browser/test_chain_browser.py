"""Build a chain in a real browser: sign in, add goals in place, see an inline error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from goals.models import Goal, Level, ProductRole
from goals.views import tree
from tests.browser.pages import sign_in
from tests.factories import ProductFactory, UserFactory, add_member
from tests.goals.pages import build_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leader(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    user = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    return user, product


def add_in_place(page, opener: str, title: str, **dates: str):
    """Open an add form under a card, fill it and submit; returns the form locator."""
    page.get_by_role("link", name=re.compile(opener)).first.click()
    form = page.locator("form.add-form")
    form.get_by_label("Title").fill(title)
    for name, value in dates.items():
        form.get_by_label(name).fill(value)
    form.get_by_role("button", name=re.compile("^Add ")).click()
    return form


def card(page, title: str):
    return page.locator("#chain .card-title a", has_text=title).first


def test_it_builds_a_chain_in_place_and_shows_inline_errors(
    live_server, leader, open_page, page_errors, screenshot_dir
):
    user, product = leader
    page = open_page(1280)
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Meal Planner").first.click()
    page.wait_for_url(f"{live_server.url}/products/{product.pk}/")

    add_in_place(page, "Add the vision", "Everyone eats well without thinking about it")
    card(page, "Everyone eats well").wait_for()

    add_in_place(page, "User goal under", "Families plan a week of meals in ten minutes")
    card(page, "Families plan a week").wait_for()
    # Keyboard users keep their place: the goal just added takes the focus.
    # (Locator assertions, not wait_for_function: its string would need CSP's unsafe-eval.)
    expect(page.locator("article.card:focus")).to_contain_text("Families plan")

    add_in_place(page, "Product goal under", "Weekly planner that reads the fridge")
    card(page, "Weekly planner").wait_for()

    form = add_in_place(
        page, "Sprint goal under", "Scan the fridge",
        **{"Starts on": "2026-03-02", "Ends on": "2026-04-20"},
    )  # fmt: skip
    error = form.locator(".field-ends_on .errorlist")
    error.wait_for()
    assert "spans one to four weeks" in error.inner_text()
    ends_on = form.get_by_label("Ends on")
    assert ends_on.get_attribute("aria-invalid") == "true"
    expect(ends_on).to_be_focused()  # focus on the error
    assert form.get_by_label("Title").input_value() == "Scan the fridge"
    page.screenshot(path=str(screenshot_dir / "chain-inline-error-1280.png"), full_page=True)

    ends_on.fill("2026-03-16")
    form.get_by_role("button", name=re.compile("^Add ")).click()
    card(page, "Scan the fridge").wait_for()
    assert page.locator("form.add-form").count() == 0

    sprint = Goal.objects.get(title="Scan the fridge")
    assert sprint.level == Level.SPRINT
    assert sprint.parents.get().title == "Weekly planner that reads the fridge"
    assert Goal.objects.filter(product=product).count() == 4

    page.screenshot(path=str(screenshot_dir / "chain-1280.png"), full_page=True)
    phone = open_page(390, 844)
    sign_in(phone, live_server.url, user.email)
    phone.goto(f"{live_server.url}/products/{product.pk}/")
    card(phone, "Scan the fridge").wait_for()
    phone.screenshot(path=str(screenshot_dir / "chain-390.png"), full_page=True)
    phone.goto(f"{live_server.url}/goals/{sprint.pk}/")
    phone.screenshot(path=str(screenshot_dir / "goal-390.png"), full_page=True)
    page.goto(f"{live_server.url}/goals/{sprint.pk}/")
    page.screenshot(path=str(screenshot_dir / "goal-1280.png"), full_page=True)

    assert page_errors == []


def test_it_collapses_a_branch_with_the_keyboard(live_server, leader, open_page, page_errors):
    user, product = leader
    vision = Goal.objects.create(product=product, level=Level.VISION, title="North star")
    child = Goal.objects.create(product=product, level=Level.USER, title="Cook more")
    child.parents.add(vision)
    page = open_page(1280)
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/products/{product.pk}/")
    branch = page.locator("details.branch").first
    assert branch.get_attribute("open") is not None
    branch.locator("summary").focus()
    page.keyboard.press("Enter")
    assert branch.get_attribute("open") is None
    assert not card(page, "Cook more").is_visible()
    page.keyboard.press("Enter")
    assert card(page, "Cook more").is_visible()
    assert page_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_big_chain_draws_a_folded_branch_when_it_is_opened(
    live_server, leader, open_page, page_errors, screenshot_dir, monkeypatch, width
):
    """In a big chain the sprint goals' branches start folded and undrawn: a click or the
    keyboard opens one and draws its cards; Expand all draws the whole chain open."""
    monkeypatch.setattr(tree, "DRAW_FOLDED_UP_TO", 50)  # 100 goals count as a big chain
    user, product = leader
    goals = build_chain(product, 100)
    sprints = sum(g.level == Level.SPRINT for g in goals)
    first, second = [g for g in goals if g.level == Level.PRODUCT][:2]
    page = open_page(width)
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/products/{product.pk}/")
    expect(page.locator("#chain .card.level-sprint")).to_have_count(0)

    def branch(goal):
        summary = page.locator("summary", has_text=f"serving “{goal.title}”")
        return summary.locator("xpath=..")

    branch(first).locator("summary").click()
    for title in first.children.values_list("title", flat=True):
        expect(branch(first).locator(".card-title a", has_text=title)).to_be_visible()
    branch(second).locator("summary").focus()
    page.keyboard.press("Enter")
    titles = list(second.children.values_list("title", flat=True))
    expect(branch(second).locator(".card.level-sprint")).to_have_count(len(titles))
    page.screenshot(path=str(screenshot_dir / f"chain-branch-opened-{width}.png"))

    page.get_by_role("button", name="Expand all").click()
    page.wait_for_url(re.compile(r"expand=1"))
    expect(page.locator("#chain .card.level-sprint")).to_have_count(sprints)
    expect(page.locator("#chain details.branch:not([open])")).to_have_count(0)
    assert page_errors == []
