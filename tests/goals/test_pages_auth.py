"""Signing in and out, resetting a password by email, accepting an invitation."""

from __future__ import annotations

import re

import pytest

from goals.models import Invitation, OrganizationMembership, OrgRole, User
from tests.factories import PASSWORD, OrganizationFactory, UserFactory


def test_it_shows_the_sign_in_form(client, db):
    html = client.get("/login/").content.decode()
    assert '<label for="id_username">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'href="/password-reset/"' in html


def test_it_signs_in_with_email_and_password(team, client):
    response = client.post("/login/", {"username": team.member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Tom Team" in client.get("/").content.decode()


def test_it_returns_to_the_page_asked_for(team, client):
    url = f"/products/{team.product.pk}/"
    response = client.post(
        "/login/", {"username": team.member.email, "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url


def test_it_says_when_the_password_is_wrong(team, client):
    response = client.post("/login/", {"username": team.member.email, "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="form-errors" role="alert"' in html
    assert "correct email" in html.lower()


def test_it_signs_out_by_post(team, browser_client):
    client = browser_client(team.member)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_emails_a_password_reset_link_with_a_text_body(
    team, client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://goals.example.com"
    # The email goes from a task, queued after the request's transaction.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password-reset/", {"email": team.member.email})
    assert response["Location"] == "/password-reset/sent/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Choose a new Goal Chain password"
    assert "Hello Tom Team" in message.body
    link = re.search(r"https://goals\.example\.com(/password-reset/\S+/)", message.body).group(1)
    assert message.alternatives  # and an HTML part

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-9", "new_password2": "a-brand-new-secret-9"},
    )
    assert response["Location"] == "/password-reset/done/"
    assert User.objects.get(pk=team.member.pk).check_password("a-brand-new-secret-9")


def test_it_does_not_tell_whether_an_email_has_an_account(client, db, mailoutbox):
    response = client.post("/password-reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/password-reset/sent/"
    assert mailoutbox == []


@pytest.fixture
def invitation(db):
    admin = UserFactory(display_name="Ada Admin")
    org = OrganizationFactory(name="Acme")
    OrganizationMembership.objects.create(organization=org, user=admin, role=OrgRole.ADMIN)
    return Invitation.objects.create(organization=org, email="new@example.com", invited_by=admin)


def test_it_shows_the_invitation_form(client, invitation):
    html = client.get(f"/invitations/{invitation.token}/").content.decode()
    assert "Join Acme" in html
    assert "new@example.com" in html
    assert 'for="id_display_name"' in html and 'for="id_password"' in html


def test_it_accepts_an_invitation_and_signs_in(client, invitation):
    response = client.post(
        f"/invitations/{invitation.token}/",
        {"display_name": "Nina New", "password": "a-long-new-secret-7"},
    )
    assert response["Location"] == "/"
    user = User.objects.get(email="new@example.com")
    assert user.display_name == "Nina New"
    assert OrganizationMembership.objects.filter(
        user=user, organization=invitation.organization
    ).exists()
    html = client.get("/").content.decode()
    assert "Welcome to Acme." in html and "Nina New" in html


def test_it_shows_a_weak_password_inline(client, invitation):
    response = client.post(f"/invitations/{invitation.token}/", {"password": "123"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_password_error"' in html
    assert not User.objects.filter(email="new@example.com").exists()


def test_it_asks_an_existing_account_to_sign_in_instead_of_typing_its_password(client, invitation):
    UserFactory(email="new@example.com")
    html = client.get(f"/invitations/{invitation.token}/").content.decode()
    assert "Sign in as new@example.com to answer this invitation" in html
    assert 'type="password"' not in html
    response = client.post(f"/invitations/{invitation.token}/", {"password": PASSWORD})
    assert response.status_code == 200
    assert not OrganizationMembership.objects.filter(user__email="new@example.com").exists()


def test_it_refuses_a_used_or_unknown_invitation(client, invitation):
    client.post(
        f"/invitations/{invitation.token}/",
        {"display_name": "N", "password": "a-long-new-secret-7"},
    )
    client.logout()
    assert client.get(f"/invitations/{invitation.token}/").status_code == 404
    assert client.get("/invitations/not-a-token/").status_code == 404
