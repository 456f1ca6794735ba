"""Two-factor sign-in in real Chromium: turned on from the security page with the secret shown
there, then signing in with a code and with a recovery code; an organisation that requires it."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from goals.models import OrganizationMembership, User
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str) -> str:
    """What the authenticator app shows now for the secret typed from the page."""
    key = b32decode("".join(secret.split()))
    return f"{totp(key):06d}"


def next_app_code(user: User) -> str:
    """The app's code for the step after the last one taken: a code is taken once, and this
    one is accepted at once (one step of tolerance). It is counted from the step the server
    took, not from the clock: a code typed as its step ended is taken as the app running a
    step behind, and the server then counts its steps one behind too."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{hotp(device.bin_key, device.last_t + 1):06d}"


def password_step(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")


def no_sideways_scroll(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def expect_only_the_refused_form(page_errors: list[str]) -> None:
    # A page with form errors answers 400, which Chromium logs; nothing else may be logged.
    assert page_errors == [
        "console: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page_errors.clear()


def shoot(page, path) -> None:
    # caret="initial": hiding the caret takes an inline style, which the CSP refuses.
    page.screenshot(path=str(path), full_page=True, caret="initial")


def turn_on(page, screenshot_dir) -> tuple[str, list[str]]:
    """From the security page: scan (read) the secret, confirm a code, keep the codes."""
    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code to add Goal Chain")).to_be_visible()
    assert no_sideways_scroll(page)
    shoot(page, screenshot_dir / f"two-factor-setup-{page.viewport_size['width']}.png")
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_label("Code", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    expect(page.get_by_text("Keep them somewhere safe")).to_be_visible()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    shoot(page, screenshot_dir / f"two-factor-codes-{page.viewport_size['width']}.png")
    page.get_by_role("link", name="I have kept my codes").click()
    expect(page.get_by_text("Two-factor sign-in is on.")).to_be_visible()
    return secret, codes


def test_it_is_turned_on_and_asks_for_a_code_or_a_recovery_code(
    live_server, open_page, page_errors, screenshot_dir
):
    tess = UserFactory(display_name="Tess Two")
    page = open_page(375, 800)
    password_step(page, live_server.url, tess.email)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/settings/security/")
    expect(page.get_by_text("Two-factor sign-in is off.")).to_be_visible()
    assert no_sideways_scroll(page)

    _, codes = turn_on(page, screenshot_dir)
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    sign_out(page)

    # With the app's code, typed and sent with the keyboard.
    password_step(page, live_server.url, tess.email)
    page.wait_for_url("**/login/code/")
    assert no_sideways_scroll(page)
    shoot(page, screenshot_dir / "two-factor-sign-in-375.png")
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_focused()
    code_field.fill("000000")
    page.keyboard.press("Enter")
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    expect_only_the_refused_form(page_errors)
    page.wait_for_timeout(1100)  # a wrong code makes the next one wait a second
    page.get_by_label("Code from your authenticator app").fill(next_app_code(tess))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    sign_out(page)

    # With a recovery code instead.
    password_step(page, live_server.url, tess.email)
    page.get_by_role("link", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    # New recovery codes, then off again; each asks the password.
    page.goto(f"{live_server.url}/settings/security/")
    expect(page.get_by_text("You have 9 unused recovery codes.")).to_be_visible()
    page.get_by_role("link", name="New recovery codes").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Make new recovery codes").click()
    # all_inner_texts() reads at once: wait for the page that shows the new codes.
    expect(page.locator("[data-recovery-codes] code")).to_have_count(10)
    new_codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(new_codes) == 10 and codes[1] not in new_codes
    page.get_by_role("link", name="I have kept my codes").click()
    page.get_by_role("link", name="Turn off two-factor sign-in").click()
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    expect_only_the_refused_form(page_errors)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_role("status").filter(has_text="Two-factor sign-in is off.")).to_be_visible()
    assert page_errors == []


def test_an_organisation_that_requires_it_sends_its_member_to_turn_it_on(
    live_server, open_page, page_errors, screenshot_dir
):
    acme = OrganizationFactory(name="Acme", require_two_factor=True)
    tess = UserFactory(display_name="Tess Two")
    OrganizationMembership.objects.create(organization=acme, user=tess)
    page = open_page(1280)

    password_step(page, live_server.url, tess.email)

    page.wait_for_url("**/settings/security/")
    required = "Acme asks its members to use two-factor sign-in. Turn it on to continue."
    expect(page.get_by_role("alert").filter(has_text=required)).to_be_visible()
    shoot(page, screenshot_dir / "two-factor-required-1280.png")
    page.goto(f"{live_server.url}/notifications/")
    page.wait_for_url("**/settings/security/")

    turn_on(page, screenshot_dir)
    expect(page.get_by_text("so it stays on")).to_be_visible()
    expect(page.get_by_role("link", name="Turn off two-factor sign-in")).to_have_count(0)
    page.get_by_role("link", name="Inbox").click()
    page.wait_for_url("**/notifications/")
    assert page_errors == []
