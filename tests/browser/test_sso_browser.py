"""In a real browser, single sign-on through a real OpenID provider (tests/oidc): the button on
the sign-in page, the provider's own login page, and back to Goal Chain signed in, or told to
ask for an invitation. Then an admin sets the organisation's sign-in settings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from goals.models import Invitation, Organization, OrgRole, User
from tests.accounts import conftest as sso_fixtures
from tests.browser.test_workshop_browser import shoot
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The provider and the settings that point Goal Chain at it, from tests/accounts/conftest.py.
oidc_provider = sso_fixtures.oidc_provider
sso_on = sso_fixtures.sso_on


def sign_in_at_provider(page, base_url: str, email: str) -> None:
    """From Goal Chain's sign-in page, with the keyboard, through the provider's login page."""
    page.goto(f"{base_url}/login/")
    button = page.get_by_role("link", name="Sign in with Test ID")
    button.focus()
    page.keyboard.press("Enter")
    page.get_by_placeholder("Enter any login").fill(email)
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()


@pytest.mark.parametrize("width", [390, 1280])
def test_an_invited_person_signs_in_with_the_button_and_lands_signed_in(
    live_server, sso_on, open_page, page_errors, screenshot_dir, width
):
    org = OrganizationFactory(name="Acme Health")
    Invitation.objects.create(organization=org, email="ada.lovelace@acme.example")
    page = open_page(width)

    page.goto(f"{live_server.url}/login/")
    shoot(page, screenshot_dir / f"sso-login-{width}.png")
    sign_in_at_provider(page, live_server.url, "ada.lovelace@acme.example")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Acme Health").first).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, Ada Lovelace")).to_be_visible()
    assert User.objects.get(email="ada.lovelace@acme.example").display_name == "Ada Lovelace"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert [error for error in page_errors if live_server.url in error] == []


def test_a_person_nobody_invited_is_asked_to_get_an_invitation(
    live_server, sso_on, open_page, page_errors, screenshot_dir
):
    page = open_page(390)

    sign_in_at_provider(page, live_server.url, "stranger@elsewhere.example")

    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "No organisation on Goal Chain has invited stranger@elsewhere.example yet. "
        "Ask your admin for an invitation, then sign in again."
    )
    shoot(page, screenshot_dir / "sso-refused-390.png")
    page.get_by_role("link", name="Back to sign in").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    assert not User.objects.filter(email="stranger@elsewhere.example").exists()


def test_an_admin_sets_the_sign_in_settings_of_the_organisation(
    live_server, sso_on, open_page, page_errors, screenshot_dir
):
    org = OrganizationFactory(name="Acme Health")
    admin = UserFactory(email="admin@acme.example", display_name="Ada Admin")
    org.memberships.create(user=admin, role=OrgRole.ADMIN)
    page = open_page(1280)
    sign_in_at_provider(page, live_server.url, admin.email)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/organizations/{org.pk}/")

    page.get_by_text("Edit name, strategy and sign-in", exact=True).click()
    page.get_by_label("Email domain").fill("Acme.example")
    page.get_by_label("Members sign in with single sign-on only").check()
    page.get_by_label("Members who sign in with a password must use two-factor sign-in").check()
    shoot(page, screenshot_dir / "organization-sign-in-settings-1280.png")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("Organisation settings saved.")).to_be_visible()
    facts = page.get_by_role("region", name="Sign-in")
    expect(facts).to_contain_text("Yes: members cannot sign in with a password")
    expect(facts).to_contain_text("Required with a password")
    expect(facts).to_contain_text("People at acme.example join with single sign-on")
    org = Organization.objects.get(pk=org.pk)
    assert (org.email_domain, org.sso_only, org.require_two_factor) == ("acme.example", True, True)
    assert [error for error in page_errors if live_server.url in error] == []
