"""The product members page: roles, and leaders adding, changing and removing members."""

from __future__ import annotations

import pytest

from goals.models import Invitation, ProductMembership, ProductRole
from tests.factories import (
    InvitationFactory,
    OrganizationMembershipFactory,
    UserFactory,
    add_member,
)


def members_url(team, suffix: str = "") -> str:
    return f"/products/{team.product.pk}/members/{suffix}"


def membership_of(team, user) -> ProductMembership:
    return ProductMembership.objects.get(product=team.product, user=user)


@pytest.mark.parametrize("role", ["leader", "member", "stakeholder", "org_admin"])
def test_it_lists_members_with_their_roles(team, browser_client, role):
    html = browser_client(getattr(team, role)).get(members_url(team)).content.decode()
    for name in ("Lea Leader", "Tom Team", "Sam Stakeholder"):
        assert name in html
    assert "Product leader" in html and "Stakeholder" in html


def test_it_gives_the_forms_to_leaders_only(team, browser_client):
    assert "Add a member" in browser_client(team.leader).get(members_url(team)).content.decode()
    html = browser_client(team.member).get(members_url(team)).content.decode()
    assert "Add a member" not in html
    assert "<select" not in html


def test_it_hides_the_page_from_other_organisations(team, browser_client):
    assert browser_client(team.outsider).get(members_url(team)).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(team, client):
    assert client.get(members_url(team))["Location"].startswith("/login/")


def test_it_invites_an_organisation_member_with_a_role(team, browser_client):
    person = OrganizationMembershipFactory(organization=team.product.organization).user
    response = browser_client(team.leader).post(
        members_url(team), {"email": person.email.upper(), "role": "stakeholder"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(product=team.product, email=person.email)
    assert invitation.product_role == ProductRole.STAKEHOLDER
    assert not ProductMembership.objects.filter(product=team.product, user=person).exists()


def test_it_suggests_organisation_members_who_are_not_in_the_product(team, browser_client):
    person = OrganizationMembershipFactory(organization=team.product.organization).user
    html = browser_client(team.leader).get(members_url(team)).content.decode()
    assert f'<option value="{person.email}">' in html
    assert f'<option value="{team.member.email}">' not in html


def test_it_explains_inline_that_outsiders_must_join_the_organisation_first(team, browser_client):
    stranger = UserFactory()
    response = browser_client(team.leader).post(
        members_url(team), {"email": stranger.email, "role": "team"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a member of this organisation" in html
    assert 'aria-describedby="id_email_error"' in html
    assert not ProductMembership.objects.filter(user=stranger).exists()


def test_it_refuses_team_members_adding_people(team, browser_client):
    person = OrganizationMembershipFactory(organization=team.product.organization).user
    response = browser_client(team.member).post(
        members_url(team), {"email": person.email, "role": "leader"}
    )
    assert response.status_code == 403


def test_it_changes_a_role(team, browser_client):
    membership = membership_of(team, team.member)
    response = browser_client(team.leader).post(
        members_url(team, f"{membership.pk}/role/"), {"role": "leader"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == ProductRole.LEADER


def test_it_keeps_the_last_leader(team, browser_client):
    membership = membership_of(team, team.leader)
    response = browser_client(team.leader).post(
        members_url(team, f"{membership.pk}/role/"), {"role": "team"}, follow=True
    )
    assert "A product needs at least one leader." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == ProductRole.LEADER


def test_it_removes_a_member(team, browser_client):
    membership = membership_of(team, team.stakeholder)
    response = browser_client(team.org_admin).post(members_url(team, f"{membership.pk}/remove/"))
    assert response.status_code == 302
    assert not ProductMembership.objects.filter(pk=membership.pk).exists()


def test_it_refuses_stakeholders_removing_members(team, browser_client):
    membership = membership_of(team, team.member)
    response = browser_client(team.stakeholder).post(members_url(team, f"{membership.pk}/remove/"))
    assert response.status_code == 403
    assert ProductMembership.objects.filter(pk=membership.pk).exists()


def test_it_saves_the_portfolio_strategy(team, browser_client):
    product = team.product
    response = browser_client(team.leader).post(
        f"/products/{product.pk}/edit/",
        {
            "name": product.name,
            "portfolio_strategy": "Lead with *mobile*",
            "version": product.version,
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert "<em>mobile</em>" in product.portfolio_strategy_html


@pytest.mark.parametrize("rows", [1, 40])
def test_it_reads_the_members_page_in_a_fixed_number_of_queries(
    team, browser_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        add_member(team.product, UserFactory())
        invited = OrganizationMembershipFactory(organization=team.product.organization).user
        InvitationFactory(
            organization=team.product.organization,
            product=team.product,
            email=invited.email,
            product_role=ProductRole.TEAM,
        )
    client = browser_client(team.leader)
    # 1 session, 2 user, 3 product with my roles, 4 members with users, 5 pending invitations,
    # 6 organisation members not in the product yet (suggestions).
    with django_assert_num_queries(6):
        assert client.get(members_url(team)).status_code == 200
