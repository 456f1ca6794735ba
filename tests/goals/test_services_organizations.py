"""Organisations, products and their members: who is in, in which role."""

from __future__ import annotations

import pytest

from goals.errors import Conflict, DomainError
from goals.models import (
    Invitation,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
)
from goals.services.invitations import invitation_accept
from goals.services.organizations import (
    organization_create,
    organization_member_add,
    organization_member_remove,
    organization_member_set_role,
    organization_update,
    product_create,
    product_member_add,
    product_member_remove,
    product_member_set_role,
    product_update,
)
from goals.tasks import send_invitation_email
from tests.factories import UserFactory


def test_it_makes_the_creator_of_an_organisation_its_admin(db):
    founder = UserFactory()
    org = organization_create(actor=founder, name="  Acme ", business_strategy="**Grow**")
    assert org.name == "Acme"
    assert "<strong>Grow</strong>" in org.business_strategy_html
    membership = OrganizationMembership.objects.get(organization=org)
    assert (membership.user, membership.role) == (founder, OrgRole.ADMIN)


def test_it_refuses_an_organisation_without_a_name(db):
    with pytest.raises(DomainError) as excinfo:
        organization_create(actor=UserFactory(), name="   ")
    assert "name" in excinfo.value.errors


def test_it_updates_an_organisation_and_checks_its_version(team):
    org = team.product.organization
    org = organization_update(
        actor=team.org_admin, organization=org, data={"business_strategy": "B"}, version=1
    )
    assert (org.version, org.business_strategy_html.strip()) == (2, "<p>B</p>")
    with pytest.raises(Conflict):
        organization_update(actor=team.org_admin, organization=org, data={"name": "X"}, version=1)


def test_it_invites_an_existing_user_instead_of_adding_them(team):
    org = team.product.organization
    newcomer = UserFactory(email="newcomer@example.com")
    invitation = organization_member_add(
        actor=team.org_admin, organization=org, email="NewComer@Example.com", role=OrgRole.MEMBER
    )
    assert isinstance(invitation, Invitation)
    assert (invitation.email, invitation.accepted_at) == ("newcomer@example.com", None)
    assert not OrganizationMembership.objects.filter(organization=org, user=newcomer).exists()


def test_it_refuses_adding_a_member_twice(team):
    with pytest.raises(DomainError) as excinfo:
        organization_member_add(
            actor=team.org_admin, organization=team.product.organization, email=team.member.email
        )
    assert "email" in excinfo.value.errors


def test_it_invites_an_unknown_email_and_sends_one_email(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = organization_member_add(
            actor=team.org_admin, organization=team.product.organization, email="New@Example.com"
        )
    assert isinstance(invitation, Invitation)
    assert (invitation.email, invitation.accepted_at) == ("new@example.com", None)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.com"]
    assert invitation.token in mailoutbox[0].body


def test_it_sends_an_invitation_once_when_its_job_runs_twice(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = organization_member_add(
            actor=team.org_admin, organization=team.product.organization, email="new@example.com"
        )
    send_invitation_email(invitation.pk)
    send_invitation_email(invitation.pk)
    assert len(mailoutbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_it_sends_the_invitation_again_when_asked_to_invite_again(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    org = team.product.organization
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            organization_member_add(actor=team.org_admin, organization=org, email="a@b.org")
    assert len(mailoutbox) == 2


def test_it_keeps_one_pending_invitation_per_email(team, django_capture_on_commit_callbacks):
    org = team.product.organization
    with django_capture_on_commit_callbacks(execute=True):
        organization_member_add(actor=team.org_admin, organization=org, email="a@b.org")
        organization_member_add(
            actor=team.org_admin, organization=org, email="A@b.org", role=OrgRole.ADMIN
        )
    invitation = Invitation.objects.get(organization=org)
    assert invitation.role == OrgRole.ADMIN


@pytest.mark.parametrize(("email", "role"), [("not-an-email", "member"), ("a@b.org", "owner")])
def test_it_refuses_a_bad_email_or_role(team, email, role):
    with pytest.raises(DomainError):
        organization_member_add(
            actor=team.org_admin, organization=team.product.organization, email=email, role=role
        )
    assert not Invitation.objects.exists()


def test_it_turns_an_accepted_invitation_into_a_membership(team):
    invitation = Invitation.objects.create(
        organization=team.product.organization, email="joiner@example.com"
    )
    user = invitation_accept(
        invitation=invitation, password="a-long-enough-passphrase", display_name="Jo"
    )
    assert user.check_password("a-long-enough-passphrase")
    assert OrganizationMembership.objects.filter(
        organization=team.product.organization, user=user, role=OrgRole.MEMBER
    ).exists()
    with pytest.raises(Conflict):
        invitation_accept(invitation=invitation, password="another-long-passphrase")


def test_it_keeps_at_least_one_admin(db):
    founder = UserFactory()
    org = organization_create(actor=founder, name="Solo")
    membership = OrganizationMembership.objects.get(organization=org)
    with pytest.raises(DomainError):
        organization_member_set_role(membership=membership, role=OrgRole.MEMBER)
    with pytest.raises(DomainError):
        organization_member_remove(membership=membership)
    membership.refresh_from_db()
    assert membership.role == OrgRole.ADMIN


def test_it_removes_an_organisation_member_from_its_products_too(team):
    membership = OrganizationMembership.objects.get(
        organization=team.product.organization, user=team.member
    )
    organization_member_remove(membership=membership)
    assert not ProductMembership.objects.filter(user=team.member).exists()


def test_it_makes_the_creator_of_a_product_its_leader(team):
    product = product_create(
        actor=team.org_admin, organization=team.product.organization, name="App"
    )
    assert ProductMembership.objects.get(product=product).role == ProductRole.LEADER


def test_it_invites_an_organisation_member_to_a_product_role(team):
    org_member = UserFactory()
    OrganizationMembership.objects.create(organization=team.product.organization, user=org_member)
    invitation = product_member_add(
        actor=team.leader, product=team.product, email=org_member.email.upper(), role="team"
    )
    assert (invitation.product, invitation.product_role) == (team.product, ProductRole.TEAM)
    assert not ProductMembership.objects.filter(product=team.product, user=org_member).exists()


def test_it_refuses_a_product_member_from_outside_the_organisation(team):
    with pytest.raises(DomainError) as excinfo:
        product_member_add(
            actor=team.leader, product=team.product, email=team.outsider.email, role="team"
        )
    assert "email" in excinfo.value.errors
    assert not ProductMembership.objects.filter(user=team.outsider, product=team.product).exists()


def test_it_refuses_a_product_member_twice(team):
    with pytest.raises(DomainError):
        product_member_add(
            actor=team.leader, product=team.product, email=team.member.email, role="leader"
        )
    assert ProductMembership.objects.get(user=team.member, product=team.product).role == "team"


def test_it_keeps_at_least_one_leader(team):
    membership = ProductMembership.objects.get(product=team.product, user=team.leader)
    with pytest.raises(DomainError):
        product_member_set_role(membership=membership, role=ProductRole.TEAM)
    with pytest.raises(DomainError):
        product_member_remove(membership=membership)
    assert ProductMembership.objects.filter(pk=membership.pk, role="leader").exists()


def test_it_updates_a_product_and_checks_its_version(team):
    product = product_update(
        actor=team.leader, product=team.product, data={"name": "Renamed"}, version=1
    )
    assert (product.name, product.version) == ("Renamed", 2)
    with pytest.raises(Conflict):
        product_update(actor=team.leader, product=team.product, data={"name": "Again"}, version=1)
    assert Product.objects.get(pk=team.product.pk).name == "Renamed"


def test_it_refuses_a_second_product_of_the_same_name_in_any_case(team):
    name = team.product.name
    with pytest.raises(DomainError) as excinfo:
        product_create(
            actor=team.org_admin, organization=team.product.organization, name=f" {name.upper()} "
        )
    assert excinfo.value.errors == {
        "name": [
            f"{team.product.organization.name} already has a product called “{name}”. "
            "Choose another name."
        ]
    }
    assert Product.objects.filter(name__iexact=name).count() == 1


def test_it_allows_the_same_product_name_in_another_organisation(team):
    other = organization_create(actor=team.outsider, name="Elsewhere")
    product = product_create(actor=team.outsider, organization=other, name=team.product.name)
    assert product.name == team.product.name


def test_it_refuses_renaming_a_product_to_a_name_the_organisation_uses(team):
    second = product_create(
        actor=team.org_admin, organization=team.product.organization, name="Second app"
    )
    with pytest.raises(DomainError) as excinfo:
        product_update(
            actor=team.leader, product=second, data={"name": team.product.name.lower()}, version=1
        )
    assert "name" in excinfo.value.errors
    assert Product.objects.get(pk=second.pk).name == "Second app"
    # Its own name in another case is no clash.
    renamed = product_update(
        actor=team.org_admin, product=second, data={"name": "SECOND APP"}, version=1
    )
    assert renamed.name == "SECOND APP"


def test_it_still_saves_a_product_sharing_a_name_from_before_names_were_unique(team):
    twin = Product.objects.create(organization=team.product.organization, name=team.product.name)
    saved = product_update(
        actor=team.leader,
        product=twin,
        data={"name": team.product.name, "portfolio_strategy": "Grow"},
        version=1,
    )
    assert saved.portfolio_strategy == "Grow"
