"""A new leader's first hour in real Chromium: from creating an empty product to a sprint goal,
by clicks and typing only, with a confirmation after every save and no dead end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from goals.models import Goal, KeyResult, Level, OrgRole, Product
from tests.browser.pages import sign_in_with_the_form
from tests.factories import OrganizationMembershipFactory, UserFactory, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, path) -> None:
    # caret="initial": hiding the caret takes an inline style, which the CSP refuses.
    page.screenshot(path=str(path), full_page=True, caret="initial")


def confirmed(page, text: str) -> None:
    """The confirmation a save leaves, announced to screen readers as a status."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_a_new_leader_goes_from_an_empty_product_to_a_sprint_goal(
    live_server, open_page, page_errors, screenshot_dir
):
    ada = UserFactory(display_name="Ada Admin")
    membership = OrganizationMembershipFactory(
        user=ada, role=OrgRole.ADMIN, organization__name="Acme Health"
    )
    page = open_page(1280)
    sign_in_with_the_form(page, live_server.url, ada.email)

    # The organisation's admin creates the product through the page.
    page.get_by_role("link", name="Acme Health").first.click()
    create = page.locator("details", has_text="Create a product")
    create.get_by_text("Create a product").click()
    # By name: the organisation's own form above also has a "Name" field.
    create.locator("input[name=name]").fill("Meal Planner")
    create.get_by_role("button", name="Create product").click()
    confirmed(page, "Meal Planner is ready: start with its vision.")
    product = Product.objects.get(organization=membership.organization, name="Meal Planner")
    chain_url = f"{live_server.url}/products/{product.pk}/"
    assert page.url == chain_url

    # "Add the vision" opened in a tab of its own: the add page, not the chain.
    opener = page.get_by_role("link", name="Add the vision")
    with page.context.expect_page() as opened:
        opener.click(modifiers=["Control"])
    tab = opened.value
    tab.wait_for_load_state()
    expect(tab.get_by_role("heading", name="Add a product vision")).to_be_visible()
    tab.get_by_label("Title").fill("Everyone eats well without thinking about it")
    tab.get_by_label("Description").fill("Five years on, planning meals takes *no* effort.")
    shoot(tab, screenshot_dir / "first-hour-1-vision-page.png")
    tab.get_by_role("button", name="Add product vision").click()
    # Saved: the chain, with the vision and a confirmation; no form left to click twice.
    tab.wait_for_url(re.compile(re.escape(chain_url) + r"#goal-\d+$"))
    confirmed(tab, "“Everyone eats well without thinking about it” was added to the chain.")
    expect(tab.locator("#chain .card-title")).to_have_text(
        ["Everyone eats well without thinking about it"]
    )
    shoot(tab, screenshot_dir / "first-hour-2-vision-added.png")
    tab.close()
    vision = Goal.objects.get(product=product, level=Level.VISION)
    assert vision.description == "Five years on, planning meals takes *no* effort."

    # User and business goals in place on the chain, each serving the vision.
    page.reload()
    for opener, title in (
        ("User goal under", "Families plan a week of meals in ten minutes"),
        ("Business goal under", "A thousand paying households"),
    ):
        page.get_by_role("link", name=re.compile(opener)).first.click()
        form = page.locator("form.add-form")
        form.get_by_label("Title").fill(title)
        expect(form.get_by_role("radio", name="Everyone eats well")).to_be_checked()
        form.get_by_role("button", name=re.compile("^Add ")).click()
        expect(page.locator("form.add-form")).to_have_count(0)
        confirmed(page, f"“{title}” was added to the chain.")
        expect(page.locator("article.card:focus")).to_contain_text(title)
    shoot(page, screenshot_dir / "first-hour-3-user-and-business-goals.png")

    # A product goal serving both, ticked with the keyboard alone.
    start = today()
    page.get_by_role("link", name=re.compile("Product goal under")).first.click()
    form = page.locator("form.add-form")
    form.get_by_label("Title").fill("Weekly planner that reads the fridge")
    serves = form.get_by_role("group", name="Serves")
    expect(serves.get_by_role("checkbox", name="Families plan a week")).to_be_checked()
    paying = serves.get_by_role("checkbox", name="A thousand paying households")
    expect(paying).not_to_be_checked()
    paying.focus()
    page.keyboard.press("Space")
    expect(paying).to_be_checked()
    form.get_by_label("Starts on").fill(start.isoformat())
    form.get_by_label("Ends on").fill((start + timedelta(days=90)).isoformat())
    shoot(page, screenshot_dir / "first-hour-4-product-goal-form.png")
    form.get_by_role("button", name="Add product goal").click()
    confirmed(page, "“Weekly planner that reads the fridge” was added to the chain.")
    product_goal = Goal.objects.get(product=product, level=Level.PRODUCT)
    assert {p.title for p in product_goal.parents.all()} == {
        "Families plan a week of meals in ten minutes",
        "A thousand paying households",
    }

    # Its key results, on the goal's page.
    page.locator("article.card:focus").get_by_role(
        "link", name="Weekly planner that reads the fridge", exact=True
    ).click()
    for title, baseline, target in (("Weekly plans made", "0", "500"), ("Fridge scans", "0", "2")):
        section = page.locator("#key-results")
        if not section.locator("form").first.is_visible():
            section.get_by_text("Add a key result").click()
        section.get_by_label("What you measure").fill(title)
        section.get_by_label("Baseline").fill(baseline)
        section.get_by_label("Target").fill(target)
        section.get_by_label("Owner").select_option(label=f"{ada.name} ({ada.email})")
        section.get_by_label("Due on").fill((start + timedelta(days=60)).isoformat())
        section.get_by_role("button", name="Add key result").click()
        confirmed(page, "Key result added.")
        expect(page.locator("#key-results tbody th")).to_contain_text([title])
    shoot(page, screenshot_dir / "first-hour-5-key-results.png")
    assert KeyResult.objects.filter(goal=product_goal).count() == 2
    assert set(KeyResult.objects.values_list("due_on", flat=True)) == {start + timedelta(days=60)}

    # The edit form offers the same checkboxes: the business goal is unticked by keyboard.
    edit = page.locator("#edit")
    paying = edit.get_by_role("group", name="Serves").get_by_role(
        "checkbox", name="A thousand paying households"
    )
    expect(paying).to_be_checked()
    paying.focus()
    page.keyboard.press("Space")
    edit.get_by_role("button", name="Save goal").click()
    confirmed(page, "Goal saved.")
    assert [p.title for p in product_goal.parents.all()] == [
        "Families plan a week of meals in ten minutes"
    ]

    # Back to the chain for the sprint goal; it serves the product goal, a radio button.
    page.get_by_role("link", name="See it in the whole chain").click()
    page.get_by_role("link", name=re.compile("Sprint goal under")).first.click()
    form = page.locator("form.add-form")
    form.get_by_label("Title").fill("Scan the fridge")
    expect(form.get_by_role("radio", name="Weekly planner that reads the fridge")).to_be_checked()
    form.get_by_label("Starts on").fill(start.isoformat())
    form.get_by_label("Ends on").fill((start + timedelta(days=14)).isoformat())
    form.get_by_label("Confidence (fist of five)").select_option("4")
    form.get_by_role("button", name="Add sprint goal").click()
    confirmed(page, "“Scan the fridge” was added to the chain.")
    expect(page.locator(".chain-summary")).to_contain_text("5 goals in this chain.")
    shoot(page, screenshot_dir / "first-hour-6-sprint-goal.png")

    sprint = Goal.objects.get(product=product, level=Level.SPRINT)
    assert [p.title for p in sprint.parents.all()] == ["Weekly planner that reads the fridge"]
    assert page_errors == []
