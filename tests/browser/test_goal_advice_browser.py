"""Goal advice as people type, in a real browser: the same advice box on goal and proposal
forms, timeframe advice before saving, and a refused timeframe said once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from goals.models import Goal, Level, ProductRole, Status
from tests.browser.pages import sign_in
from tests.factories import ProductFactory, UserFactory, add_member, make_goal, today
from workshops.services.setup import workshop_create, workshop_set_phase

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Static files are served by WhiteNoise, whose file iterator is synchronous.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


@pytest.fixture
def chain(db):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    lea = add_member(product, UserFactory(display_name="Lea Leader"), ProductRole.LEADER)
    vision = make_goal(product, Level.VISION, status=Status.AGREED, title="Everyone eats well")
    user_goal = make_goal(
        product, Level.USER, vision, status=Status.AGREED, title="Families plan meals fast"
    )
    product_goal = make_goal(
        product, Level.PRODUCT, user_goal, status=Status.AGREED, title="Weekly planner"
    )
    return product, lea, user_goal, product_goal


def proposal_form(page, base_url: str, lea, title: str, level: str, parent: Goal):
    """The new-proposal form of Lea's workshop `title` deciding `level` goals under `parent`,
    in drafting, open in `page` signed in as Lea."""
    workshop = workshop_create(
        actor=lea,
        product=parent.product,
        title=title,
        target_level=level,
        parent_goal=parent,
        facilitator=lea,
    )
    workshop_set_phase(actor=lea, workshop=workshop, phase="drafting")
    sign_in(page, base_url, lea.email)
    page.goto(f"{base_url}/workshops/{workshop.pk}/")
    return page.locator("#proposal-new-form")


def test_the_new_goal_form_gives_timeframe_advice_before_saving(
    asgi_live_server, chain, open_page, page_errors, screenshot_dir
):
    product, lea, user_goal, _ = chain
    page = open_page(1280, 900)
    sign_in(page, asgi_live_server.url, lea.email)
    page.goto(
        f"{asgi_live_server.url}/products/{product.pk}/goals/new/"
        f"?level=product&parent={user_goal.pk}"
    )
    form = page.locator("form.add-form")
    form.get_by_label("Title").fill("Families plan a week of meals in 10 minutes")
    start = today()
    form.get_by_label("Starts on").fill(start.isoformat())
    form.get_by_label("Ends on").fill((start + timedelta(days=730)).isoformat())
    advice = form.locator("[data-quality-check] [data-code=timeframe]")
    expect(advice).to_contain_text("Unusual timeframe")
    expect(advice).to_contain_text("A product goal usually spans two to six months")
    page.screenshot(path=str(screenshot_dir / "goal-advice-timeframe.png"), full_page=True)
    form.get_by_label("Ends on").fill((start + timedelta(days=90)).isoformat())
    expect(advice).to_have_count(0)
    assert asgi_live_server.db(lambda: Goal.objects.filter(level=Level.PRODUCT).count()) == 1
    assert page_errors == []


def test_a_ten_week_sprint_proposal_hears_the_rule_once(
    asgi_live_server, chain, open_page, page_errors, screenshot_dir
):
    _, lea, _, product_goal = chain
    page = open_page(1280, 900)
    form = proposal_form(page, asgi_live_server.url, lea, "Sprint 12", Level.SPRINT, product_goal)
    form.get_by_label("Title").fill("Scan the fridge in 10 seconds")
    start = today()
    form.get_by_label("Starts on").fill(start.isoformat())
    with page.expect_response(lambda response: "/quality-check/" in response.url):
        form.get_by_label("Ends on").fill((start + timedelta(weeks=10)).isoformat())
    expect(form.locator(".check-error")).to_have_text(
        "A sprint goal spans one to four weeks (7 to 28 days); this one spans 70 days."
    )
    messages = form.locator(".check-list li, [data-quality-check] li")
    expect(messages).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "proposal-sprint-refused.png"), full_page=True)
    assert page_errors == []


def test_the_new_goal_form_calls_a_list_of_tickets_a_work_list(
    asgi_live_server, chain, open_page, page_errors, screenshot_dir
):
    product, lea, _, product_goal = chain
    page = open_page(1280, 900)
    sign_in(page, asgi_live_server.url, lea.email)
    page.goto(
        f"{asgi_live_server.url}/products/{product.pk}/goals/new/"
        f"?level=sprint&parent={product_goal.pk}"
    )
    form = page.locator("form.add-form")
    form.get_by_label("Title").fill("Finish SHOP-12, SHOP-19 and SHOP-23")
    advice = form.locator("[data-quality-check] [data-code=sprint_work_list]")
    expect(advice).to_contain_text("Work list, not a sprint goal")
    expect(advice).to_contain_text("“SHOP-12” is a ticket")
    expect(advice).to_contain_text("Customers can pay with a saved card at checkout")
    page.screenshot(path=str(screenshot_dir / "goal-advice-work-list.png"), full_page=True)
    form.get_by_label("Title").fill("Customers can pay with a saved card at checkout")
    expect(advice).to_have_count(0)
    assert page_errors == []


def test_a_proposal_hears_that_revenue_is_not_a_user_goal(
    asgi_live_server, chain, open_page, page_errors, screenshot_dir
):
    product, lea, _, _ = chain
    vision = Goal.objects.get(product=product, level=Level.VISION)
    page = open_page(390, 844)
    form = proposal_form(page, asgi_live_server.url, lea, "User goals", Level.USER, vision)
    form.get_by_label("Title").fill("Raise revenue per account by 30 %")
    advice = form.locator("[data-quality-check] [data-code=user_goal_business_metric]")
    expect(advice).to_contain_text("User goal is a business metric")
    expect(advice).to_contain_text("“revenue” is what the business gets")
    page.screenshot(
        path=str(screenshot_dir / "proposal-advice-business-metric.png"), full_page=True
    )
    form.get_by_label("Title").fill("Families plan a week of meals in 10 minutes")
    expect(advice).to_have_count(0)
    assert page_errors == []


def test_the_health_page_counts_each_rule_and_leads_to_its_goals(
    asgi_live_server, chain, open_page, page_errors, screenshot_dir
):
    product, lea, user_goal, _ = chain
    for title in ("Improve planning", "Better recipes"):
        make_goal(product, Level.PRODUCT, user_goal, title=title)
    page = open_page(1280, 900)
    sign_in(page, asgi_live_server.url, lea.email)
    page.goto(f"{asgi_live_server.url}/products/{product.pk}/health/")
    vague = page.locator("#rule-finds-vague_words")
    expect(vague).to_have_text("Flags 2 goals")
    vague.get_by_role("link").click()
    expect(page).to_have_url(
        f"{asgi_live_server.url}/products/{product.pk}/health/#kind-vague_words"
    )
    expect(page.locator("#kind-vague_words")).to_be_in_viewport()
    page.screenshot(path=str(screenshot_dir / "health-rule-counts.png"), full_page=True)
    page.get_by_role("checkbox", name="Vague words").uncheck()
    page.get_by_role("button", name="Save checks").click()
    expect(page.locator("#rule-finds-vague_words")).to_have_text("Would flag 2 goals")
    expect(page.locator("#kind-vague_words")).to_have_count(0)
    assert page_errors == []
