"""Invitations in Chromium: an admin invites an existing account, which signs in and accepts
on its home page; another declines from the emailed link; admins and leaders withdraw."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from goals.models import Invitation, OrganizationMembership, OrgRole, ProductMembership
from tests.browser.pages import sign_in, sign_in_with_the_form
from tests.factories import PASSWORD, OrganizationFactory, ProductFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme():
    """Acme, its admin Ada, its product Checkout (Ada leads it), and Nora, who has an account
    but is in no organisation."""
    ada = UserFactory(email="ada@example.com", display_name="Ada Admin")
    nora = UserFactory(email="nora@example.com", display_name="Nora Newcomer")
    org = OrganizationFactory(name="Acme")
    product = ProductFactory(name="Checkout", organization=org)
    OrganizationMembership.objects.create(organization=org, user=ada, role=OrgRole.ADMIN)
    ProductMembership.objects.create(product=product, user=ada, role="leader")
    return org, product, ada, nora


@pytest.mark.parametrize("width", [1280, 375])
def test_an_invited_account_signs_in_and_accepts_on_its_home_page(
    live_server, open_page, page_errors, screenshot_dir, settings, acme, width
):
    org, _, ada, nora = acme
    settings.SITE_URL = live_server.url
    admin = open_page(width)
    sign_in(admin, live_server.url, ada.email)
    admin.goto(f"{live_server.url}/organizations/{org.pk}/")
    form = admin.get_by_role("form", name="Invite someone")
    form.get_by_label("Email", exact=True).fill("Nora@Example.com")
    form.get_by_label("Role", exact=True).select_option("member")
    form.get_by_role("button", name="Invite", exact=True).click()
    expect(admin.locator(".message-success")).to_contain_text(
        "Invitation sent to nora@example.com."
    )
    pending = admin.locator(".member").filter(has_text="nora@example.com")
    expect(pending).to_contain_text("invited")
    expect(admin.get_by_text("Nora Newcomer")).to_have_count(0)
    (message,) = mail.outbox
    assert "Sign in as nora@example.com" in message.body

    person = open_page(width)
    sign_in_with_the_form(person, live_server.url, nora.email)
    invitations = person.get_by_role("region", name="Invitations for you")
    expect(invitations).to_contain_text("Ada Admin invites you to join Acme as a member")
    person.screenshot(path=str(screenshot_dir / f"invitation-home-{width}.png"), full_page=True)
    invitations.get_by_role("button", name="Accept the invitation to Acme").click()
    expect(person).to_have_url(f"{live_server.url}/organizations/{org.pk}/")
    expect(person.locator(".message-success")).to_contain_text("Welcome to Acme.")
    assert OrganizationMembership.objects.filter(organization=org, user=nora).exists()
    assert page_errors == []


def test_an_invited_account_follows_the_email_signs_in_and_declines(
    live_server, open_page, page_errors, screenshot_dir, settings, acme
):
    org, product, ada, _ = acme
    tom = UserFactory(email="tom@example.com", display_name="Tom Team")
    OrganizationMembership.objects.create(organization=org, user=tom)
    settings.SITE_URL = live_server.url
    leader = open_page()
    sign_in(leader, live_server.url, ada.email)
    leader.goto(f"{live_server.url}/products/{product.pk}/members/")
    leader.get_by_label("Email of an organisation member").fill(tom.email)
    leader.get_by_label("Role", exact=True).select_option("stakeholder")
    leader.get_by_role("button", name="Send invitation").click()
    expect(leader.locator(".message-success")).to_contain_text("Invitation sent to tom@example.com")
    (message,) = mail.outbox
    link = re.search(rf"{re.escape(live_server.url)}/invitations/\S+/", message.body).group(0)

    person = open_page(375, 800)
    person.goto(link)
    expect(person.get_by_role("heading", level=1)).to_have_text(
        "Sign in as tom@example.com to answer this invitation"
    )
    person.get_by_role("link", name="Sign in as tom@example.com").click()
    person.get_by_label("Email").fill(tom.email)
    person.get_by_label("Password").fill(PASSWORD)
    person.get_by_role("button", name="Sign in").click()
    expect(person).to_have_url(link)
    expect(person.locator("main")).to_contain_text(
        "Ada Admin invites you to join Checkout in Acme as a stakeholder"
    )
    person.screenshot(path=str(screenshot_dir / "invitation-answer-375.png"), full_page=True)
    person.get_by_role("button", name="Decline").click()
    expect(person).to_have_url(f"{live_server.url}/")
    expect(person.locator(".message-success")).to_contain_text(
        "You declined the invitation to join Checkout in Acme as a stakeholder."
    )
    assert not ProductMembership.objects.filter(product=product, user=tom).exists()
    assert Invitation.objects.get().declined_at is not None
    assert page_errors == []


def test_an_admin_and_a_leader_withdraw_invitations(live_server, open_page, page_errors, acme):
    org, product, ada, _ = acme
    tom = UserFactory(email="tom@example.com")
    OrganizationMembership.objects.create(organization=org, user=tom)
    Invitation.objects.create(organization=org, email="zed@example.com", invited_by=ada)
    Invitation.objects.create(
        organization=org, product=product, email=tom.email, product_role="team", invited_by=ada
    )
    page = open_page()
    sign_in(page, live_server.url, ada.email)

    page.goto(f"{live_server.url}/organizations/{org.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw the invitation of zed@example.com").click()
    expect(page.locator(".message-success")).to_contain_text(
        "The invitation of zed@example.com was withdrawn."
    )
    expect(page.get_by_text("zed@example.com", exact=True)).to_have_count(0)

    page.goto(f"{live_server.url}/products/{product.pk}/members/")
    row = page.locator(".member").filter(has_text="tom@example.com")
    expect(row).to_contain_text("Team member")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Withdraw the invitation of tom@example.com").click()
    expect(page.locator(".message-success")).to_contain_text(
        "The invitation of tom@example.com was withdrawn."
    )
    assert not Invitation.objects.exists()
    assert page_errors == []
