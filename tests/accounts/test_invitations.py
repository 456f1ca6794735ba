"""Invitations that ask: adding someone to an organisation or a product invites them, and
they are a member only once they accept, signed in as themselves. Until then the inviter
sees nothing of theirs beyond the email typed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from goals.errors import Conflict, DomainError
from goals.models import (
    Invitation,
    OrganizationMembership,
    OrgRole,
    ProductMembership,
    ProductRole,
    User,
)
from goals.services.invitations import (
    invitation_accept,
    invitation_decline,
    invitation_join,
    invitation_withdraw,
)
from goals.services.organizations import organization_member_add, product_member_add
from goals.tasks import send_invitation_email
from tests.conftest import api_client_for
from tests.factories import (
    InvitationFactory,
    OrganizationFactory,
    OrganizationMembershipFactory,
    ProductFactory,
    UserFactory,
)


@pytest.fixture
def acme(db):
    """Acme with Ada, its admin, and its product Checkout led by Lea; Nora has an account
    elsewhere; Tom is a member of Acme but not of Checkout."""
    ada = UserFactory(email="ada@example.com", display_name="Ada Admin")
    lea = UserFactory(email="lea@example.com", display_name="Lea Leader")
    tom = UserFactory(email="tom@example.com", display_name="Tom Team")
    nora = UserFactory(email="nora@example.com", display_name="Nora Newcomer")
    product = ProductFactory(name="Checkout", organization=OrganizationFactory(name="Acme"))
    org = product.organization
    OrganizationMembership.objects.create(organization=org, user=ada, role=OrgRole.ADMIN)
    for user in (lea, tom):
        OrganizationMembership.objects.create(organization=org, user=user)
    ProductMembership.objects.create(product=product, user=lea, role=ProductRole.LEADER)
    return type("Acme", (), dict(org=org, product=product, ada=ada, lea=lea, tom=tom, nora=nora))


@pytest.fixture
def api_for(db):
    """`api_for(user)`: an API client with a token of that user."""
    return api_client_for


def invite(acme, email: str, role: str = OrgRole.MEMBER) -> Invitation:
    return organization_member_add(actor=acme.ada, organization=acme.org, email=email, role=role)


def invite_to_product(acme, email: str, role: str = ProductRole.TEAM) -> Invitation:
    return product_member_add(actor=acme.lea, product=acme.product, email=email, role=role)


# Services ---------------------------------------------------------------------------------


def test_it_invites_an_existing_account_instead_of_adding_it(acme):
    invitation = invite(acme, "NORA@example.com", OrgRole.ADMIN)
    assert (invitation.email, invitation.role, invitation.product) == (
        "nora@example.com",
        OrgRole.ADMIN,
        None,
    )
    assert not OrganizationMembership.objects.filter(user=acme.nora).exists()


def test_joining_gives_the_role_offered_and_uses_the_invitation(acme):
    invitation = invite(acme, "nora@example.com", OrgRole.ADMIN)
    invitation_join(invitation=invitation, user=acme.nora)
    membership = OrganizationMembership.objects.get(organization=acme.org, user=acme.nora)
    assert membership.role == OrgRole.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with pytest.raises(Conflict):
        invitation_join(invitation=invitation, user=acme.nora)


def test_only_the_invited_emails_account_can_join(acme):
    invitation = invite(acme, "nora@example.com")
    with pytest.raises(DomainError, match="another email"):
        invitation_join(invitation=invitation, user=acme.tom)
    with pytest.raises(DomainError, match="another email"):
        invitation_decline(invitation=invitation, user=acme.tom)
    invitation.refresh_from_db()
    assert (invitation.accepted_at, invitation.declined_at) == (None, None)


def test_a_product_invitation_gives_the_product_role(acme):
    invitation = invite_to_product(acme, "Tom@Example.com", ProductRole.STAKEHOLDER)
    assert (invitation.product, invitation.product_role) == (acme.product, ProductRole.STAKEHOLDER)
    assert not ProductMembership.objects.filter(user=acme.tom).exists()
    invitation_join(invitation=invitation, user=acme.tom)
    assert ProductMembership.objects.get(user=acme.tom).role == ProductRole.STAKEHOLDER


def test_a_product_invitation_needs_its_person_still_in_the_organisation(acme):
    invitation = invite_to_product(acme, "tom@example.com")
    OrganizationMembership.objects.filter(user=acme.tom).delete()
    with pytest.raises(DomainError, match="no longer a member of this product's organisation"):
        invitation_join(invitation=invitation, user=acme.tom)
    assert not ProductMembership.objects.filter(user=acme.tom).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nora@example.com", "is not a member of this organisation"),
        ("lea@example.com", "already a member of this product"),
        ("nobody@example.com", "is not a member of this organisation"),
    ],
)
def test_it_refuses_a_product_invitation_to_outsiders_and_members(acme, email, message):
    with pytest.raises(DomainError, match=message):
        invite_to_product(acme, email)
    assert not Invitation.objects.exists()


def test_it_refuses_to_invite_a_member(acme):
    with pytest.raises(DomainError, match="already a member"):
        invite(acme, "TOM@example.com")


def test_a_declined_invitation_cannot_be_used_and_a_new_one_can_be_sent(acme):
    invitation = invite(acme, "nora@example.com")
    invitation_decline(invitation=invitation, user=acme.nora)
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    with pytest.raises(Conflict):
        invitation_join(invitation=invitation, user=acme.nora)
    again = invite(acme, "nora@example.com")
    assert again.pk != invitation.pk


def test_a_withdrawn_invitation_is_gone(acme):
    invitation = invite(acme, "nora@example.com")
    invitation_withdraw(invitation=invitation)
    assert not Invitation.objects.exists()
    with pytest.raises(Conflict):
        invitation_withdraw(invitation=invitation)
    with pytest.raises(Conflict):
        invitation_join(invitation=invitation, user=acme.nora)


def test_a_new_account_from_an_invitation_is_refused_for_an_email_with_an_account(acme):
    invitation = invite(acme, "nora@example.com")
    with pytest.raises(Conflict, match="sign in"):
        invitation_accept(invitation=invitation, password="a-long-new-secret-7")
    assert not OrganizationMembership.objects.filter(user=acme.nora).exists()


def test_a_new_account_from_a_product_invitation_is_refused(acme):
    """Only organisation members are invited to products; one whose account is gone since
    gets no account and no membership from the link."""
    invitation = InvitationFactory(
        organization=acme.org, product=acme.product, email="gone@example.com", product_role="team"
    )
    with pytest.raises(DomainError):
        invitation_accept(invitation=invitation, password="a-long-new-secret-7")
    assert not ProductMembership.objects.filter(user__email="gone@example.com").exists()


# Emails -----------------------------------------------------------------------------------


def test_an_existing_account_is_asked_to_sign_in_and_accept(
    acme, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://goals.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(acme, "nora@example.com")
    (message,) = mailoutbox
    assert message.to == ["nora@example.com"]
    assert message.subject == "Ada Admin invites you to Acme on Goal Chain"
    assert "Ada Admin invites you to join Acme as a member" in message.body
    assert "Sign in as nora@example.com and accept or decline" in message.body
    assert f"https://goals.example.com/invitations/{invitation.token}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://goals.example.com/invitations/{invitation.token}/"' in html


def test_a_new_email_is_asked_to_choose_a_password(
    acme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(acme, "new@example.com", OrgRole.ADMIN)
    (message,) = mailoutbox
    assert "join Acme as an admin" in message.body
    assert "Choose a password and join" in message.body


def test_a_product_invitation_email_names_the_product_organisation_and_role(
    acme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_product(acme, "tom@example.com", ProductRole.LEADER)
    (message,) = mailoutbox
    assert message.subject == "Lea Leader invites you to Checkout in Acme on Goal Chain"
    assert "Lea Leader invites you to join Checkout in Acme as a product leader" in message.body


def test_no_email_goes_for_an_invitation_answered_or_withdrawn_before_it_was_sent(acme, mailoutbox):
    declined = invite(acme, "nora@example.com")
    Invitation.objects.filter(pk=declined.pk).update(declined_at=timezone.now())
    withdrawn = invite(acme, "new@example.com")
    invitation_withdraw(invitation=withdrawn)
    send_invitation_email(declined.pk)
    send_invitation_email(withdrawn.pk)
    assert mailoutbox == []


# API --------------------------------------------------------------------------------------


def test_the_api_answers_alike_whether_or_not_the_email_has_an_account(acme, api_for):
    client = api_for(acme.ada)
    url = f"/api/organizations/{acme.org.pk}/members/"
    known = client.post(url, {"email": "Nora@Example.com", "role": "admin"}, format="json")
    unknown = client.post(url, {"email": "Zed@Example.com", "role": "admin"}, format="json")
    assert (known.status_code, unknown.status_code) == (201, 201)
    assert known.json() == {"email": "nora@example.com", "role": "admin", "status": "pending"}
    assert unknown.json() == {"email": "zed@example.com", "role": "admin", "status": "pending"}


def test_the_api_lists_pending_invitations_by_email_only(acme, api_for):
    invite(acme, "nora@example.com")
    declined = invite(acme, "zed@example.com")
    invitation_decline(invitation=declined, user=UserFactory(email="zed@example.com"))
    rows = api_for(acme.tom).get(f"/api/organizations/{acme.org.pk}/members/").json()["results"]
    pending = [row for row in rows if row["status"] == "pending"]
    assert [(row["email"], row["name"], row["user"]) for row in pending] == [
        ("nora@example.com", "nora@example.com", None)
    ]
    assert "Nora Newcomer" not in str(rows)


def test_the_api_invites_to_a_product_and_lists_the_invitation(acme, api_for):
    client = api_for(acme.lea)
    url = f"/api/products/{acme.product.pk}/members/"
    response = client.post(url, {"email": "tom@example.com", "role": "team"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"email": "tom@example.com", "role": "team", "status": "pending"}
    rows = client.get(url).json()["results"]
    assert {(row["email"], row["role"], row["status"]) for row in rows} == {
        ("lea@example.com", "leader", "active"),
        ("tom@example.com", "team", "pending"),
    }
    refused = client.post(url, {"email": "nora@example.com", "role": "team"}, format="json")
    assert refused.status_code == 400
    assert "is not a member of this organisation" in refused.json()["email"][0]


def test_my_invitations_say_to_what_as_what_and_from_whom(acme, api_for):
    to_org = invite(acme, "nora@example.com", OrgRole.ADMIN)
    to_product = invite_to_product(acme, "tom@example.com", ProductRole.STAKEHOLDER)
    invite(acme, "someone-else@example.com")
    (row,) = api_for(acme.nora).get("/api/invitations/").json()["results"]
    assert row == {
        "id": to_org.pk,
        "organization_name": "Acme",
        "product_name": None,
        "role": "admin",
        "invited_by_name": "Ada Admin",
        "created_at": row["created_at"],
        "status": "pending",
    }
    (row,) = api_for(acme.tom).get("/api/invitations/").json()["results"]
    assert (row["id"], row["product_name"], row["role"], row["invited_by_name"]) == (
        to_product.pk,
        "Checkout",
        "stakeholder",
        "Lea Leader",
    )


def test_accepting_by_the_api_makes_a_member(acme, api_for):
    invitation = invite(acme, "nora@example.com", OrgRole.ADMIN)
    url = f"/api/invitations/{invitation.pk}/accept/"
    assert api_for(acme.tom).post(url).status_code == 404
    response = api_for(acme.nora).post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert OrganizationMembership.objects.get(user=acme.nora).role == OrgRole.ADMIN
    assert api_for(acme.nora).post(url).status_code == 404
    assert api_for(acme.nora).get("/api/invitations/").json()["results"] == []


def test_declining_by_the_api_leaves_no_membership(acme, api_for):
    invitation = invite(acme, "nora@example.com")
    url = f"/api/invitations/{invitation.pk}/decline/"
    assert api_for(acme.ada).post(url).status_code == 404
    response = api_for(acme.nora).post(url)
    assert (response.status_code, response.json()["status"]) == (200, "declined")
    assert not OrganizationMembership.objects.filter(user=acme.nora).exists()
    accept = api_for(acme.nora).post(f"/api/invitations/{invitation.pk}/accept/")
    assert accept.status_code == 404


def test_accepting_a_product_invitation_after_leaving_the_organisation_is_a_400(acme, api_for):
    invitation = invite_to_product(acme, "tom@example.com")
    OrganizationMembership.objects.filter(user=acme.tom).delete()
    response = api_for(acme.tom).post(f"/api/invitations/{invitation.pk}/accept/")
    assert response.status_code == 400
    assert "no longer a member" in response.json()["non_field_errors"][0]


def test_admins_withdraw_organisation_invitations_and_leaders_product_ones(acme, api_for):
    to_org = invite(acme, "nora@example.com")
    to_product = invite_to_product(acme, "tom@example.com")
    assert api_for(acme.lea).delete(f"/api/invitations/{to_org.pk}/").status_code == 403
    assert api_for(acme.nora).delete(f"/api/invitations/{to_org.pk}/").status_code == 404
    assert api_for(acme.tom).delete(f"/api/invitations/{to_product.pk}/").status_code == 403
    assert api_for(acme.ada).delete(f"/api/invitations/{to_org.pk}/").status_code == 204
    assert api_for(acme.lea).delete(f"/api/invitations/{to_product.pk}/").status_code == 204
    assert not Invitation.objects.exists()
    assert api_for(acme.ada).delete(f"/api/invitations/{to_org.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 30])
def test_my_invitations_are_read_in_a_fixed_number_of_queries(
    acme, api_for, django_assert_num_queries, rows
):
    for _ in range(rows):
        InvitationFactory(email="nora@example.com", invited_by=acme.ada)
        InvitationFactory(
            organization=acme.org,
            product=ProductFactory(organization=acme.org),
            email="nora@example.com",
            product_role="team",
            invited_by=acme.lea,
        )
    client = api_for(acme.nora)
    # 1 token with its user, 2 count, 3 invitations with organisation, product and inviter.
    with django_assert_num_queries(3):
        response = client.get("/api/invitations/")
    assert response.json()["count"] == 2 * rows


# Pages ------------------------------------------------------------------------------------


def page(client, invitation: Invitation, **answer: str):
    url = f"/invitations/{invitation.token}/"
    return client.post(url, answer) if answer else client.get(url)


def test_the_page_asks_an_existing_account_to_sign_in_first(acme, client):
    invitation = invite(acme, "nora@example.com")
    response = page(client, invitation)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign in as nora@example.com to answer this invitation" in html
    assert f'href="/login/?next=%2Finvitations%2F{invitation.token}%2F"' in html
    assert 'type="password"' not in html
    assert page(client, invitation, answer="accept").status_code == 200
    assert not OrganizationMembership.objects.filter(user=acme.nora).exists()


def test_signed_in_as_the_invited_email_it_offers_accept_and_decline(acme, client):
    invitation = invite(acme, "nora@example.com", OrgRole.ADMIN)
    client.force_login(acme.nora)
    html = page(client, invitation).content.decode()
    assert "Ada Admin invites you to join Acme as an admin" in html
    assert 'name="answer" value="accept"' in html and 'name="answer" value="decline"' in html
    response = page(client, invitation, answer="accept")
    assert response["Location"] == f"/organizations/{acme.org.pk}/"
    assert OrganizationMembership.objects.get(user=acme.nora).role == OrgRole.ADMIN
    assert "Welcome to Acme." in client.get(response["Location"]).content.decode()
    used = page(client, invitation)
    assert used.status_code == 404
    assert "This invitation was accepted" in used.content.decode()


def test_accepting_a_product_invitation_leads_to_the_product(acme, client):
    invitation = invite_to_product(acme, "tom@example.com")
    client.force_login(acme.tom)
    response = page(client, invitation, answer="accept")
    assert response["Location"] == f"/products/{acme.product.pk}/"
    assert ProductMembership.objects.filter(user=acme.tom, product=acme.product).exists()


def test_declining_on_the_page(acme, client):
    invitation = invite(acme, "nora@example.com")
    client.force_login(acme.nora)
    response = page(client, invitation, answer="decline")
    assert response["Location"] == "/"
    assert "You declined the invitation to join Acme as a member." in (
        client.get("/").content.decode()
    )
    assert not OrganizationMembership.objects.filter(user=acme.nora).exists()
    html = page(client, invitation).content.decode()
    assert "This invitation was declined" in html


def test_signed_in_as_someone_else_it_offers_to_sign_out(acme, client):
    invitation = invite(acme, "nora@example.com")
    client.force_login(acme.tom)
    response = page(client, invitation)
    html = response.content.decode()
    assert response.status_code == 403
    assert "This invitation is for another email" in html
    assert 'action="/logout/"' in html
    assert f'name="next" value="/invitations/{invitation.token}/"' in html
    assert page(client, invitation, answer="accept").status_code == 403
    signed_out = client.post("/logout/", {"next": f"/invitations/{invitation.token}/"})
    assert signed_out["Location"] == f"/invitations/{invitation.token}/"
    assert "Sign in as nora@example.com" in page(client, invitation).content.decode()


def test_a_withdrawn_invitation_says_so(acme, client):
    invitation = invite(acme, "nora@example.com")
    invitation_withdraw(invitation=invitation)
    response = page(client, invitation)
    assert response.status_code == 404
    assert "It was withdrawn, or the link is incomplete" in response.content.decode()


def test_a_product_invitation_whose_person_left_the_organisation_says_why(acme, client):
    invitation = invite_to_product(acme, "tom@example.com")
    OrganizationMembership.objects.filter(user=acme.tom).delete()
    client.force_login(acme.tom)
    response = page(client, invitation, answer="accept")
    assert response.status_code == 400
    assert "no longer a member of this product" in response.content.decode()


def test_home_lists_my_invitations_with_accept_and_decline(acme, client):
    invite(acme, "nora@example.com")
    invite(acme, "zed@example.com")
    client.force_login(acme.nora)
    html = client.get("/").content.decode()
    assert "Invitations for you" in html
    assert "Ada Admin invites you to join Acme as a member" in html
    assert html.count('name="answer" value="accept"') == 1
    assert "zed@example.com" not in html


def test_the_organisation_page_lists_pending_invitations_with_withdraw(acme, client):
    invitation = invite(acme, "nora@example.com")
    client.force_login(acme.ada)
    html = client.get(f"/organizations/{acme.org.pk}/").content.decode()
    assert "nora@example.com" in html and "Nora Newcomer" not in html
    withdraw = f"/organizations/{acme.org.pk}/invitations/{invitation.pk}/withdraw/"
    assert f'action="{withdraw}"' in html
    response = client.post(withdraw, follow=True)
    assert "The invitation of nora@example.com was withdrawn." in response.content.decode()
    assert not Invitation.objects.exists()


def test_only_admins_withdraw_organisation_invitations_on_the_page(acme, client):
    invitation = invite(acme, "nora@example.com")
    client.force_login(acme.lea)
    html = client.get(f"/organizations/{acme.org.pk}/").content.decode()
    assert "nora@example.com" not in html
    response = client.post(f"/organizations/{acme.org.pk}/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 403
    assert Invitation.objects.exists()


def test_the_product_members_page_lists_pending_invitations_with_withdraw(acme, client):
    invitation = invite_to_product(acme, "tom@example.com", ProductRole.STAKEHOLDER)
    client.force_login(acme.lea)
    url = f"/products/{acme.product.pk}/members/"
    html = client.get(url).content.decode()
    assert "Invited, not joined yet" in html and "Stakeholder" in html
    withdraw = f"/products/{acme.product.pk}/invitations/{invitation.pk}/withdraw/"
    assert f'action="{withdraw}"' in html
    assert client.post(withdraw)["Location"] == url
    assert not Invitation.objects.exists()


def test_inviting_on_the_product_page_says_an_invitation_went(acme, client):
    client.force_login(acme.lea)
    url = f"/products/{acme.product.pk}/members/"
    response = client.post(url, {"email": "tom@example.com", "role": "team"}, follow=True)
    assert "Invitation sent to tom@example.com." in response.content.decode()
    assert not ProductMembership.objects.filter(user=acme.tom).exists()


@pytest.mark.parametrize("rows", [1, 30])
def test_the_invitation_lists_are_read_in_a_fixed_number_of_queries(
    acme, client, django_assert_num_queries, rows
):
    for number in range(rows):
        invite(acme, f"invitee{number}@example.com")
        member = OrganizationMembershipFactory(organization=acme.org).user
        invite_to_product(acme, member.email)
    client.force_login(acme.ada)
    # 1 session, 2 user, 3 organisation with my role, 4 members with users,
    # 5 pending invitations, 6 products with my roles.
    with django_assert_num_queries(6):
        assert client.get(f"/organizations/{acme.org.pk}/").status_code == 200
    client.force_login(acme.lea)
    # 1 session, 2 user, 3 product with my roles, 4 members with users, 5 pending invitations,
    # 6 organisation members not in the product yet (suggestions).
    with django_assert_num_queries(6):
        assert client.get(f"/products/{acme.product.pk}/members/").status_code == 200


# An organisation that signs in with single sign-on only -----------------------------------


def test_an_sso_only_organisation_gets_no_password_account_from_an_invitation(acme):
    acme.org.sso_only = True
    acme.org.save()
    invitation = invite(acme, "newcomer@example.com")

    with pytest.raises(DomainError) as refused:
        invitation_accept(invitation=invitation, password="long-enough-pass-42")

    assert "Acme signs in with single sign-on only" in refused.value.message
    assert not User.objects.filter(email="newcomer@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_its_invitation_page_offers_single_sign_on_instead_of_a_password(acme, client, settings):
    settings.OIDC_ISSUER = "https://id.example.com"
    settings.OIDC_RP_CLIENT_ID = "goal-chain"
    settings.OIDC_PROVIDER_NAME = "Acme ID"
    acme.org.sso_only = True
    acme.org.save()
    invitation = invite(acme, "newcomer@example.com")

    page = client.get(f"/invitations/{invitation.token}/").content.decode()

    assert "Acme signs in with single sign-on" in page
    assert "Sign in with Acme ID" in page
    assert 'type="password"' not in page
    refused = client.post(
        f"/invitations/{invitation.token}/",
        {"display_name": "New", "password": "long-enough-pass-42"},
    )
    assert 'type="password"' not in refused.content.decode()
    assert not User.objects.filter(email="newcomer@example.com").exists()
