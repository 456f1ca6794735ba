"""An organisation admin imports a product export under a name of their choosing: a name the
organisation uses is refused in place, another lands on the new chain; its activity tells
what happened in sentences. In real Chromium."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from goals import exchange
from goals.models import OrgRole, Product, ProductRole
from goals.services.goals import goal_update
from tests.browser.pages import sign_in
from tests.factories import (
    OrganizationMembershipFactory,
    ProductFactory,
    UserFactory,
    add_member,
    make_chain,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, folder, name: str) -> None:
    # caret="initial": hiding the caret takes an inline style, which our CSP refuses (and logs).
    page.screenshot(path=str(folder / name), full_page=True, caret="initial")


def test_an_admin_imports_a_product_under_a_free_name(
    live_server, open_page, page_errors, screenshot_dir, tmp_path
):
    product = ProductFactory(name="Meal Planner", organization__name="Acme Health")
    admin = UserFactory(display_name="Ada Admin")
    OrganizationMembershipFactory(organization=product.organization, user=admin, role=OrgRole.ADMIN)
    add_member(product, admin, ProductRole.LEADER)
    chain = make_chain(product)
    goal_update(
        actor=admin,
        goal=chain.product_goal,
        data={"status": "achieved", "outcome_note": "Shipped"},
    )
    export = tmp_path / "meal-planner.json"
    export.write_text(json.dumps(exchange.export_document(product)))

    page = open_page(1280)
    sign_in(page, live_server.url, admin.email)
    page.goto(f"{live_server.url}/organizations/{product.organization_id}/")
    page.get_by_text("Import a product").click()
    page.get_by_label("Export file (JSON)").set_input_files(str(export))
    page.get_by_label("Name of the new product").fill("meal planner")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(
        page.get_by_text("Acme Health already has a product called “Meal Planner”")
    ).to_be_visible()
    shot(page, screenshot_dir, "import-name-taken.png")
    assert Product.objects.count() == 1

    page.get_by_label("Export file (JSON)").set_input_files(str(export))
    page.get_by_label("Name of the new product").fill("Meal Planner 2027")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported Meal Planner 2027.")).to_be_visible()
    copy_ = Product.objects.get(name="Meal Planner 2027")
    assert page.url == f"{live_server.url}/products/{copy_.pk}/"

    page.goto(f"{live_server.url}/products/{product.pk}/activity/")
    line = page.locator(".feed-line").first
    expect(line).to_have_text(f"Ada Admin closed {chain.product_goal.title} as achieved")
    shot(page, screenshot_dir, "activity.png")
    # The refused name was answered 400, as a form with errors is; nothing else went wrong.
    assert page_errors == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
