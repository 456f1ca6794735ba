"""/api/products/ and their members."""

from __future__ import annotations

import pytest

from goals.models import Goal, OrganizationMembership, Product, ProductMembership
from tests.factories import ProductFactory, UserFactory, make_chain
from workshops.models import Workshop


def test_it_lists_the_products_of_my_organisations_with_my_role(team, api):
    sibling = ProductFactory(organization=team.product.organization, name="AAA sibling")
    ProductFactory(name="Foreign")
    body = api(team.stakeholder).get("/api/products/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    roles = {row["id"]: row["role"] for row in body["results"]}
    assert roles == {sibling.pk: "viewer", team.product.pk: "stakeholder"}


def test_it_filters_products_by_organisation(team, api):
    other_org_product = ProductFactory()
    OrganizationMembership.objects.create(
        organization=other_org_product.organization, user=team.member
    )
    client = api(team.member)
    assert client.get("/api/products/").json()["count"] == 2
    response = client.get(f"/api/products/?organization={team.product.organization_id}")
    assert [row["id"] for row in response.json()["results"]] == [team.product.pk]


def test_it_lets_an_org_admin_create_a_product_and_lead_it(team, api):
    response = api(team.org_admin).post(
        "/api/products/",
        {
            "organization": team.product.organization_id,
            "name": "Meal planner",
            "portfolio_strategy": "**Mobile** first",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["role"], body["version"]) == ("Meal planner", "leader", 1)
    assert "<strong>Mobile</strong>" in body["portfolio_strategy_html"]
    membership = ProductMembership.objects.get(product_id=body["id"])
    assert (membership.user, membership.role) == (team.org_admin, "leader")


@pytest.mark.parametrize("who", ["leader", "member", "stakeholder"])
def test_it_forbids_organisation_members_to_create_products(team, api, who):
    response = api(getattr(team, who)).post(
        "/api/products/", {"organization": team.product.organization_id, "name": "Mine"}
    )
    assert response.status_code == 403
    assert not Product.objects.filter(name="Mine").exists()


def test_it_refuses_a_product_in_an_organisation_i_do_not_belong_to(team, api):
    response = api(team.outsider).post(
        "/api/products/", {"organization": team.product.organization_id, "name": "Sneaky"}
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not Product.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize(
    "body", [{"name": "No org"}, {"organization": 1}, {"organization": 1, "name": " "}]
)
def test_it_refuses_an_incomplete_product(team, api, body):
    body = (
        {**body, "organization": team.product.organization_id} if "organization" in body else body
    )
    response = api(team.org_admin).post("/api/products/", body)
    assert response.status_code == 400


def test_it_shows_a_product(team, api):
    response = api(team.member).get(f"/api/products/{team.product.pk}/")
    assert response.status_code == 200
    assert response.json()["role"] == "team"
    assert response.json()["organization"] == team.product.organization_id


@pytest.mark.parametrize("who", ["leader", "org_admin"])
def test_it_lets_leaders_edit_a_product(team, api, who):
    response = api(getattr(team, who)).patch(
        f"/api/products/{team.product.pk}/", {"name": "Renamed", "version": 1}
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["version"]) == ("Renamed", 2)


@pytest.mark.parametrize("who", ["member", "stakeholder"])
def test_it_forbids_team_and_stakeholders_to_edit_a_product(team, api, who):
    response = api(getattr(team, who)).patch(f"/api/products/{team.product.pk}/", {"name": "X"})
    assert response.status_code == 403
    team.product.refresh_from_db()
    assert team.product.name != "X"


def test_it_refuses_a_stale_product_version(team, api):
    client = api(team.leader)
    client.patch(f"/api/products/{team.product.pk}/", {"name": "One", "version": 1})
    response = client.patch(f"/api/products/{team.product.pk}/", {"name": "Two", "version": 1})
    assert response.status_code == 409
    team.product.refresh_from_db()
    assert (team.product.name, team.product.version) == ("One", 2)


def test_it_keeps_a_product_in_its_organisation(team, api):
    other = ProductFactory()
    response = api(team.leader).patch(
        f"/api/products/{team.product.pk}/", {"organization": other.organization_id}
    )
    assert response.status_code == 400
    team.product.refresh_from_db()
    assert team.product.organization_id != other.organization_id


def test_it_lets_a_leader_delete_a_product_and_its_chain(team, api):
    make_chain(team.product)
    response = api(team.leader).delete(f"/api/products/{team.product.pk}/")
    assert response.status_code == 204
    assert not Product.objects.filter(pk=team.product.pk).exists()
    assert not Goal.objects.filter(product_id=team.product.pk).exists()


@pytest.mark.parametrize("who", ["member", "stakeholder"])
def test_it_forbids_team_and_stakeholders_to_delete_a_product(team, api, who):
    assert api(getattr(team, who)).delete(f"/api/products/{team.product.pk}/").status_code == 403
    assert Product.objects.filter(pk=team.product.pk).exists()


def test_it_lists_product_members(team, api):
    response = api(team.stakeholder).get(f"/api/products/{team.product.pk}/members/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {(row["user"], row["role"]) for row in rows} == {
        (team.leader.pk, "leader"),
        (team.member.pk, "team"),
        (team.stakeholder.pk, "stakeholder"),
    }
    assert {"id", "user", "email", "name", "role"} <= set(rows[0])


@pytest.mark.parametrize("role", ["leader", "team", "stakeholder"])
def test_it_lets_a_leader_invite_an_organisation_member_with_a_role(team, api, role):
    colleague = UserFactory()
    OrganizationMembership.objects.create(organization=team.product.organization, user=colleague)
    response = api(team.leader).post(
        f"/api/products/{team.product.pk}/members/", {"email": colleague.email, "role": role}
    )
    assert response.status_code == 201
    assert response.json() == {"email": colleague.email, "role": role, "status": "pending"}
    assert not ProductMembership.objects.filter(product=team.product, user=colleague).exists()


def test_it_refuses_a_product_member_outside_the_organisation(team, api):
    response = api(team.leader).post(
        f"/api/products/{team.product.pk}/members/", {"email": team.outsider.email, "role": "team"}
    )
    assert response.status_code == 400
    assert "email" in response.json()
    assert not ProductMembership.objects.filter(product=team.product, user=team.outsider).exists()


def test_it_refuses_an_unknown_email_for_a_product(team, api):
    response = api(team.leader).post(
        f"/api/products/{team.product.pk}/members/", {"email": "ghost@example.com", "role": "team"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["admin", "owner", "", None])
def test_it_refuses_a_bad_product_role(team, api, role):
    colleague = UserFactory()
    OrganizationMembership.objects.create(organization=team.product.organization, user=colleague)
    response = api(team.leader).post(
        f"/api/products/{team.product.pk}/members/",
        {"email": colleague.email, "role": role},
        format="json",
    )
    assert response.status_code == 400
    assert "role" in response.json()


def test_it_refuses_a_product_member_twice(team, api):
    response = api(team.leader).post(
        f"/api/products/{team.product.pk}/members/", {"email": team.member.email, "role": "leader"}
    )
    assert response.status_code == 400
    assert ProductMembership.objects.get(product=team.product, user=team.member).role == "team"


@pytest.mark.parametrize("who", ["member", "stakeholder"])
def test_it_forbids_team_and_stakeholders_to_add_product_members(team, api, who):
    colleague = UserFactory()
    OrganizationMembership.objects.create(organization=team.product.organization, user=colleague)
    response = api(getattr(team, who)).post(
        f"/api/products/{team.product.pk}/members/", {"email": colleague.email, "role": "team"}
    )
    assert response.status_code == 403


def test_it_lets_a_leader_change_a_role_and_remove_a_member(team, api):
    client = api(team.leader)
    membership = ProductMembership.objects.get(product=team.product, user=team.stakeholder)
    url = f"/api/products/{team.product.pk}/members/{membership.pk}/"
    assert client.patch(url, {"role": "team"}).json()["role"] == "team"
    assert client.delete(url).status_code == 204
    assert not ProductMembership.objects.filter(pk=membership.pk).exists()


def test_it_keeps_the_last_leader(team, api):
    membership = ProductMembership.objects.get(product=team.product, user=team.leader)
    response = api(team.leader).patch(
        f"/api/products/{team.product.pk}/members/{membership.pk}/", {"role": "team"}
    )
    assert response.status_code == 400
    membership.refresh_from_db()
    assert membership.role == "leader"


def test_it_refuses_to_delete_a_product_a_workshop_still_hangs_goals_under(team, api):
    """Workshop.parent_goal protects the goal; the product's deletion must not become a 500."""
    chain = make_chain(team.product)
    Workshop.objects.create(
        product=team.product,
        title="Next user goals",
        target_level="user",
        parent_goal=chain.vision,
        facilitator=team.leader,
        decision_rule="unanimous",
    )
    response = api(team.leader).delete(f"/api/products/{team.product.pk}/")
    assert response.status_code in (204, 400)
    if response.status_code == 400:
        assert "non_field_errors" in response.json()
        assert Product.objects.filter(pk=team.product.pk).exists()
    else:
        assert not Product.objects.filter(pk=team.product.pk).exists()


def test_it_answers_400_for_a_product_name_the_organisation_uses(team, api):
    client = api(team.org_admin)
    body = {"organization": team.product.organization_id, "name": team.product.name.upper()}
    response = client.post("/api/products/", body)
    assert response.status_code == 400
    assert "already has a product called" in response.json()["name"][0]
    other = client.post("/api/products/", {**body, "name": "Other app"}).json()
    response = client.patch(
        f"/api/products/{other['id']}/", {"name": team.product.name, "version": 1}
    )
    assert response.status_code == 400 and "name" in response.json()
