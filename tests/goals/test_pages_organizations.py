"""The organisation page: business strategy, members and invitations, products."""

from __future__ import annotations

import re

import pytest

from goals.models import Invitation, Organization, OrganizationMembership, OrgRole, Product
from tests.factories import OrganizationMembershipFactory, ProductFactory, UserFactory


def org_url(team, suffix: str = "") -> str:
    return f"/organizations/{team.product.organization_id}/{suffix}"


def test_it_shows_strategy_members_and_products_to_a_member(team, browser_client):
    org = team.product.organization
    org.business_strategy_html = "<p>Grow <em>Europe</em></p>"
    org.save()
    html = browser_client(team.member).get(org_url(team)).content.decode()
    assert "Grow <em>Europe</em>" in html
    assert "Lea Leader" in html and "Sam Stakeholder" in html
    assert team.product.name in html
    assert "Invite someone" not in html
    assert "Create a product" not in html
    assert "<form" not in html.split("<main", 1)[1]


def test_it_gives_admins_the_forms(team, browser_client):
    html = browser_client(team.org_admin).get(org_url(team)).content.decode()
    assert "Edit name, strategy and sign-in" in html
    assert "Invite someone" in html
    assert "Create a product" in html
    assert 'for="id_email"' in html


def test_every_label_on_the_admins_page_names_its_own_field(team, browser_client):
    """The organisation's form and the new product's both have a name: each label must lead
    to its own box, so ids are unique on the page."""
    html = browser_client(team.org_admin).get(org_url(team)).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'for="product_name"' in html and 'id="product_name"' in html
    for target in re.findall(r'\sfor="([^"]+)"', html):
        assert f'id="{target}"' in html


def test_a_product_created_with_a_bad_name_shows_the_error_by_its_box(team, browser_client):
    response = browser_client(team.org_admin).post(org_url(team, "products/"), {"name": " "})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="product_name"' in html and 'aria-invalid="true"' in html


def test_it_hides_other_organisations(team, browser_client):
    assert browser_client(team.outsider).get(org_url(team)).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(team, client):
    assert client.get(org_url(team))["Location"].startswith("/login/")


def test_it_saves_the_business_strategy(team, browser_client):
    org = team.product.organization
    response = browser_client(team.org_admin).post(
        org_url(team, "edit/"),
        {"name": org.name, "business_strategy": "Be **kind**", "version": org.version},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.business_strategy_html == "<p>Be <strong>kind</strong></p>\n"


def test_it_keeps_the_text_on_a_strategy_conflict(team, browser_client):
    org = team.product.organization
    Organization.objects.filter(pk=org.pk).update(version=5)
    response = browser_client(team.org_admin).post(
        org_url(team, "edit/"), {"name": org.name, "business_strategy": "Mine", "version": 4}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Someone else saved this while you were editing" in html
    assert "\nMine</textarea>" in html
    assert 'name="version" value="5"' in html


def test_it_shows_an_empty_name_under_the_name(team, browser_client):
    org = team.product.organization
    response = browser_client(team.org_admin).post(
        org_url(team, "edit/"), {"name": " ", "business_strategy": "", "version": org.version}
    )
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()


def test_it_refuses_members_editing_the_strategy(team, browser_client):
    response = browser_client(team.leader).post(
        org_url(team, "edit/"), {"name": "Mine", "business_strategy": "x"}
    )
    assert response.status_code == 403


def test_it_invites_a_known_person_instead_of_adding_them(team, browser_client):
    newcomer = UserFactory(email="newcomer@example.com", display_name="Nora Newcomer")
    client = browser_client(team.org_admin)
    response = client.post(
        org_url(team, "members/"), {"email": "newcomer@example.com", "role": "member"}
    )
    assert response.status_code == 302
    assert not OrganizationMembership.objects.filter(user=newcomer).exists()
    assert Invitation.objects.filter(email="newcomer@example.com", accepted_at=None).exists()
    html = client.get(org_url(team)).content.decode()
    assert "Invitation sent to newcomer@example.com" in html
    assert newcomer.name not in html


def test_it_invites_an_unknown_email(
    team, browser_client, mailoutbox, django_capture_on_commit_callbacks
):
    client = browser_client(team.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            org_url(team, "members/"), {"email": "new@example.com", "role": "admin"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new@example.com")
    assert invitation.role == OrgRole.ADMIN
    assert len(mailoutbox) == 1
    html = client.get(org_url(team)).content.decode()
    assert "Invitation sent to new@example.com" in html
    assert "Invited, not joined yet" in html


def test_it_shows_a_bad_email_inline(team, browser_client):
    response = browser_client(team.org_admin).post(
        org_url(team, "members/"), {"email": "not-an-email", "role": "member"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address." in html
    assert 'aria-describedby="id_email_error"' in html


def test_it_changes_a_role(team, browser_client):
    membership = OrganizationMembership.objects.get(user=team.member)
    response = browser_client(team.org_admin).post(
        org_url(team, f"members/{membership.pk}/role/"), {"role": "admin"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == OrgRole.ADMIN


def test_it_keeps_the_last_admin(team, browser_client):
    membership = OrganizationMembership.objects.get(user=team.org_admin)
    client = browser_client(team.org_admin)
    response = client.post(
        org_url(team, f"members/{membership.pk}/role/"), {"role": "member"}, follow=True
    )
    assert "An organisation needs at least one admin." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == OrgRole.ADMIN


def test_it_removes_a_member(team, browser_client):
    membership = OrganizationMembership.objects.get(user=team.member)
    response = browser_client(team.org_admin).post(
        org_url(team, f"members/{membership.pk}/remove/")
    )
    assert response.status_code == 302
    assert not OrganizationMembership.objects.filter(pk=membership.pk).exists()


def test_it_does_not_reach_memberships_of_other_organisations(team, browser_client):
    other = OrganizationMembershipFactory()
    response = browser_client(team.org_admin).post(org_url(team, f"members/{other.pk}/remove/"))
    assert response.status_code == 404
    assert OrganizationMembership.objects.filter(pk=other.pk).exists()


def test_it_creates_a_product_and_opens_its_chain(team, browser_client):
    response = browser_client(team.org_admin).post(
        org_url(team, "products/"), {"name": "Coach", "portfolio_strategy": "Retention"}
    )
    product = Product.objects.get(name="Coach")
    assert response["Location"] == f"/products/{product.pk}/"


def test_it_shows_a_product_name_in_use_under_the_name_and_creates_nothing(team, browser_client):
    products = Product.objects.count()
    response = browser_client(team.org_admin).post(
        org_url(team, "products/"), {"name": team.product.name.lower()}
    )
    assert response.status_code == 400
    assert f"already has a product called “{team.product.name}”" in response.content.decode()
    assert Product.objects.count() == products


def test_it_refuses_product_creation_to_members(team, browser_client):
    response = browser_client(team.leader).post(org_url(team, "products/"), {"name": "Coach"})
    assert response.status_code == 403


@pytest.mark.parametrize("rows", [1, 40])
def test_it_reads_the_organisation_page_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, rows
):
    org = team.product.organization
    for _ in range(rows):
        OrganizationMembershipFactory(organization=org)
        ProductFactory(organization=org)
        Invitation.objects.create(organization=org, email=f"{_}@invited.example.com")
    client = browser_client(team.org_admin)
    # 1 session, 2 user, 3 organisation with my role, 4 members with users,
    # 5 pending invitations, 6 products with my roles.
    with django_assert_num_queries(6):
        assert client.get(org_url(team)).status_code == 200
