"""/api/organizations/ and their members."""

from __future__ import annotations

import pytest

from goals.models import Invitation, Organization, OrganizationMembership, OrgRole
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def org(team):
    return team.product.organization


def test_it_lists_only_my_organisations_with_my_role(team, api, org):
    OrganizationFactory(name="Someone else's")
    response = api(team.org_admin).get("/api/organizations/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    (row,) = body["results"]
    assert (row["id"], row["name"], row["role"], row["version"]) == (org.pk, org.name, "admin", 1)
    assert api(team.member).get("/api/organizations/").json()["results"][0]["role"] == "member"


def test_it_creates_an_organisation_with_its_creator_as_admin(db, api):
    founder = UserFactory()
    response = api(founder).post(
        "/api/organizations/", {"name": "Acme", "business_strategy": "Win *Europe*"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Acme"
    assert body["role"] == "admin"
    assert "<em>Europe</em>" in body["business_strategy_html"]
    assert OrganizationMembership.objects.get(organization_id=body["id"]).user == founder


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "   "}, {"name": None}, {"name": "x" * 201}]
)
def test_it_refuses_an_organisation_without_a_proper_name(db, api, body):
    before = Organization.objects.count()
    response = api(UserFactory()).post("/api/organizations/", body)
    assert response.status_code == 400
    assert "name" in response.json()
    assert Organization.objects.count() == before


def test_it_shows_an_organisation_to_its_members(team, api, org):
    response = api(team.stakeholder).get(f"/api/organizations/{org.pk}/")
    assert response.status_code == 200
    assert response.json()["business_strategy"] == org.business_strategy


def test_it_hides_an_organisation_from_outsiders(team, api, org):
    assert api(team.outsider).get(f"/api/organizations/{org.pk}/").status_code == 404


def test_it_lets_admins_edit_an_organisation(team, api, org):
    response = api(team.org_admin).patch(
        f"/api/organizations/{org.pk}/", {"business_strategy": "New", "version": 1}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    org.refresh_from_db()
    assert org.business_strategy == "New"


@pytest.mark.parametrize("who", ["leader", "member", "stakeholder"])
def test_it_forbids_members_to_edit_an_organisation(team, api, org, who):
    response = api(getattr(team, who)).patch(f"/api/organizations/{org.pk}/", {"name": "Mine"})
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name != "Mine"


def test_it_refuses_a_stale_organisation_version(team, api, org):
    client = api(team.org_admin)
    client.patch(f"/api/organizations/{org.pk}/", {"name": "First", "version": 1})
    response = client.patch(f"/api/organizations/{org.pk}/", {"name": "Second", "version": 1})
    assert response.status_code == 409
    assert "version" in response.json()
    org.refresh_from_db()
    assert org.name == "First"


def test_it_lists_members_and_pending_invitations(team, api, org):
    Invitation.objects.create(organization=org, email="soon@example.com")
    response = api(team.member).get(f"/api/organizations/{org.pk}/members/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["email"] for row in rows} == {
        team.leader.email,
        team.member.email,
        team.stakeholder.email,
        team.org_admin.email,
        "soon@example.com",
    }
    pending = next(row for row in rows if row["email"] == "soon@example.com")
    assert (pending["status"], pending["user"]) == ("pending", None)


def test_it_invites_an_existing_user_and_answers_with_the_email_only(
    team, api, org, mailoutbox, django_capture_on_commit_callbacks
):
    newcomer = UserFactory(email="newcomer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(team.org_admin).post(
            f"/api/organizations/{org.pk}/members/",
            {"email": "NEWCOMER@example.com", "role": "admin"},
        )
    assert response.status_code == 201
    assert response.json() == {
        "email": "newcomer@example.com",
        "role": "admin",
        "status": "pending",
    }
    assert not OrganizationMembership.objects.filter(organization=org, user=newcomer).exists()
    assert [message.to for message in mailoutbox] == [["newcomer@example.com"]]


def test_it_invites_an_unknown_email_and_sends_an_email(
    team, api, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(team.org_admin).post(
            f"/api/organizations/{org.pk}/members/", {"email": "stranger@example.com"}
        )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["role"] == "member"
    invitation = Invitation.objects.get(organization=org)
    assert invitation.email == "stranger@example.com"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["stranger@example.com"]
    assert f"/invitations/{invitation.token}/" in mailoutbox[0].body


def test_it_refuses_to_add_a_member_twice(team, api, org):
    response = api(team.org_admin).post(
        f"/api/organizations/{org.pk}/members/", {"email": team.member.email.upper()}
    )
    assert response.status_code == 400
    assert "email" in response.json()
    assert OrganizationMembership.objects.filter(organization=org, user=team.member).count() == 1


def test_it_keeps_one_invitation_when_an_email_is_invited_twice(team, api, org):
    client = api(team.org_admin)
    for _ in range(2):
        response = client.post(f"/api/organizations/{org.pk}/members/", {"email": "x@example.com"})
        assert response.status_code == 201
    assert Invitation.objects.filter(organization=org).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@example.com", "role": "owner"}, "role"),
        ({"email": "x@example.com", "role": "leader"}, "role"),
        ({"email": "not an email"}, "email"),
        ({"role": "member"}, "email"),
    ],
)
def test_it_refuses_a_bad_role_or_email(team, api, org, body, field):
    response = api(team.org_admin).post(f"/api/organizations/{org.pk}/members/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["leader", "member", "stakeholder"])
def test_it_forbids_non_admins_to_add_members(team, api, org, who):
    response = api(getattr(team, who)).post(
        f"/api/organizations/{org.pk}/members/", {"email": "x@example.com"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_it_lets_an_admin_change_a_members_role_and_remove_them(team, api, org):
    client = api(team.org_admin)
    membership = OrganizationMembership.objects.get(organization=org, user=team.member)
    url = f"/api/organizations/{org.pk}/members/{membership.pk}/"
    response = client.patch(url, {"role": "admin"})
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert client.patch(url, {"role": "boss"}).status_code == 400
    assert client.delete(url).status_code == 204
    assert not OrganizationMembership.objects.filter(pk=membership.pk).exists()


def test_it_keeps_the_last_admin(team, api, org):
    membership = OrganizationMembership.objects.get(organization=org, user=team.org_admin)
    response = api(team.org_admin).delete(f"/api/organizations/{org.pk}/members/{membership.pk}/")
    assert response.status_code == 400
    assert OrganizationMembership.objects.filter(pk=membership.pk).exists()


def test_it_hides_another_organisations_membership(team, api, org):
    foreign = OrganizationMembership.objects.get(user=team.outsider)
    response = api(team.org_admin).patch(
        f"/api/organizations/{org.pk}/members/{foreign.pk}/", {"role": "admin"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == OrgRole.MEMBER
