"""Writes to organisations, products and their members, invitations included."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from goals.errors import Conflict, DomainError, Errors, still_referenced
from goals.markdown import render_markdown
from goals.models import (
    Invitation,
    Organization,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
    User,
)
from goals.schedule import DEFAULT_TIME_ZONE, is_time_zone
from goals.services.versioning import check_version, save_versioned
from workshops import services as workshop_services

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length or 254
# Organisations and products alike.
NAME_MAX_LENGTH = Product._meta.get_field("name").max_length or 200


def organization_create(
    *, actor: User, name: str, business_strategy: str = "", time_zone: str = DEFAULT_TIME_ZONE
) -> Organization:
    """Create an organisation; its creator becomes its first admin."""
    name = required_name(name)
    _check_time_zone(time_zone)
    with transaction.atomic():
        org = Organization.objects.create(
            name=name,
            business_strategy=business_strategy,
            business_strategy_html=render_markdown(business_strategy),
            time_zone=time_zone,
        )
        OrganizationMembership.objects.create(organization=org, user=actor, role=OrgRole.ADMIN)
    return org


def organization_update(
    *, actor: User, organization: Organization, data: dict[str, Any], version: int | None = None
) -> Organization:
    """Rename an organisation, or change its business strategy or time zone."""
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        check_version(org, version)
        fields = []
        if "name" in data:
            org.name = required_name(data["name"])
            fields.append("name")
        if "business_strategy" in data:
            org.business_strategy = data["business_strategy"]
            org.business_strategy_html = render_markdown(org.business_strategy)
            fields += ["business_strategy", "business_strategy_html"]
        if data.get("time_zone") is not None and data["time_zone"] != org.time_zone:
            _check_time_zone(data["time_zone"])
            org.time_zone = data["time_zone"]
            fields.append("time_zone")
        if fields:
            save_versioned(org, fields)
    return org


def organization_member_add(
    *, actor: User, organization: Organization, email: str, role: str = OrgRole.MEMBER
) -> OrganizationMembership | Invitation:
    """Add a user by email; an unknown email gets a pending invitation by email."""
    email = _clean_email(email)
    if role not in OrgRole.values:
        raise DomainError({"role": [f"Choose one of: {', '.join(OrgRole.values)}."]})
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        try:
            with transaction.atomic():
                return OrganizationMembership.objects.create(
                    organization=organization, user=user, role=role
                )
        except IntegrityError:
            raise DomainError({"email": [f"{email} is already a member."]}) from None
    from goals.tasks import send_invitation_email

    with transaction.atomic():
        invitation, _ = Invitation.objects.update_or_create(
            organization=organization,
            email=email,
            accepted_at=None,
            # Inviting again is asking for the email again.
            defaults={"role": role, "invited_by": actor, "sent_at": None},
        )
        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk))
    return invitation


def organization_member_set_role(*, membership: OrganizationMembership, role: str) -> None:
    """Change a member's role; an organisation always keeps at least one admin."""
    if role not in OrgRole.values:
        raise DomainError({"role": [f"Choose one of: {', '.join(OrgRole.values)}."]})
    with transaction.atomic():
        if role != OrgRole.ADMIN:
            _keep_an_admin(membership)
        membership.role = role
        membership.save(update_fields=["role"])


def organization_member_remove(*, membership: OrganizationMembership) -> None:
    """Remove someone from an organisation and from all of its products and their workshops."""
    with transaction.atomic():
        _keep_an_admin(membership)
        ProductMembership.objects.filter(
            product__organization_id=membership.organization_id, user_id=membership.user_id
        ).delete()
        workshop_services.member_seats_end(
            user_id=membership.user_id,
            product_ids=list(
                Product.objects.filter(organization_id=membership.organization_id).values_list(
                    "pk", flat=True
                )
            ),
        )
        membership.delete()


def invitation_accept(*, invitation: Invitation, password: str, display_name: str = "") -> User:
    """Create the invited person's account with their password and join the organisation."""
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already used. Sign in instead.")
    try:
        validate_password(password, User(email=invitation.email, display_name=display_name))
    except ValidationError as error:
        raise DomainError({"password": list(error.messages)}) from None
    with transaction.atomic():
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            user = User.objects.create_user(
                email=invitation.email, password=password, display_name=display_name.strip()
            )
        OrganizationMembership.objects.get_or_create(
            organization_id=invitation.organization_id,
            user=user,
            defaults={"role": invitation.role},
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


def product_create(
    *, actor: User, organization: Organization, name: str, portfolio_strategy: str = ""
) -> Product:
    """Create a product; its creator becomes its first leader. Names are unique in an
    organisation, whatever their case."""
    name = required_name(name)
    with transaction.atomic():
        check_product_name_free(organization, name)
        product = Product.objects.create(
            organization=organization,
            name=name,
            portfolio_strategy=portfolio_strategy,
            portfolio_strategy_html=render_markdown(portfolio_strategy),
        )
        ProductMembership.objects.create(product=product, user=actor, role=ProductRole.LEADER)
    return product


def product_update(
    *, actor: User, product: Product, data: dict[str, Any], version: int | None = None
) -> Product:
    """Rename a product or change its portfolio strategy."""
    with transaction.atomic():
        current = Product.objects.select_for_update().get(pk=product.pk)
        check_version(current, version)
        fields = []
        if "name" in data:
            name = required_name(data["name"])
            # Only a new name is checked: a product kept under a name shared before names
            # were unique can still be saved.
            if name != current.name:
                check_product_name_free(current.organization, name, renaming=current)
            current.name = name
            fields.append("name")
        if "portfolio_strategy" in data:
            current.portfolio_strategy = data["portfolio_strategy"]
            current.portfolio_strategy_html = render_markdown(current.portfolio_strategy)
            fields += ["portfolio_strategy", "portfolio_strategy_html"]
        if fields:
            save_versioned(current, fields)
    return current


def product_delete(*, actor: User, product: Product) -> None:
    """Delete a product with its whole chain."""
    try:
        with transaction.atomic():
            product.delete()
    except (ProtectedError, RestrictedError) as error:
        raise DomainError(
            f"This product cannot be deleted while {still_referenced(error)} refer to it."
        ) from None


def product_member_add(
    *, actor: User, product: Product, email: str, role: str
) -> ProductMembership:
    """Give an organisation member a role in a product."""
    email = _clean_email(email)
    errors = Errors()
    if role not in ProductRole.values:
        errors.add("role", f"Choose one of: {', '.join(ProductRole.values)}.")
    user = User.objects.filter(
        email__iexact=email, org_memberships__organization_id=product.organization_id
    ).first()
    if user is None:
        errors.add(
            "email",
            f"{email} is not a member of this organisation. Invite them to the organisation first.",
        )
    errors.raise_if_any()
    assert user is not None  # raise_if_any refused an unknown email
    try:
        with transaction.atomic():
            return ProductMembership.objects.create(product=product, user=user, role=role)
    except IntegrityError:
        raise DomainError({"email": [f"{email} is already a member of this product."]}) from None


def product_member_set_role(*, membership: ProductMembership, role: str) -> None:
    """Change someone's role in a product; a product always keeps at least one leader."""
    if role not in ProductRole.values:
        raise DomainError({"role": [f"Choose one of: {', '.join(ProductRole.values)}."]})
    with transaction.atomic():
        if role != ProductRole.LEADER:
            _keep_a_leader(membership)
        membership.role = role
        membership.save(update_fields=["role"])


def product_member_remove(*, membership: ProductMembership) -> None:
    """Take someone off a product: their seats in its workshops end with it, and owning its
    goals or key results (kept until reassigned) no longer lets them write to them."""
    with transaction.atomic():
        _keep_a_leader(membership)
        membership.delete()
        workshop_services.member_seats_end(
            user_id=membership.user_id, product_ids=[membership.product_id]
        )


def _keep_an_admin(membership: OrganizationMembership) -> None:
    if membership.role != OrgRole.ADMIN:
        return
    admins = OrganizationMembership.objects.select_for_update().filter(
        organization_id=membership.organization_id, role=OrgRole.ADMIN
    )
    if len(admins) <= 1:
        raise DomainError({"role": ["An organisation needs at least one admin."]})


def _keep_a_leader(membership: ProductMembership) -> None:
    if membership.role != ProductRole.LEADER:
        return
    leaders = ProductMembership.objects.select_for_update().filter(
        product_id=membership.product_id, role=ProductRole.LEADER
    )
    if len(leaders) <= 1:
        raise DomainError({"role": ["A product needs at least one leader."]})


def check_product_name_free(
    organization: Organization, name: str, *, renaming: Product | None = None
) -> None:
    """Refuse a product name the organisation already uses, in any case: two products of one
    name cannot be told apart in menus, links and exports. Call it inside the transaction
    that writes the name; it locks the organisation so two requests cannot both take it."""
    Organization.objects.select_for_update().only("pk").get(pk=organization.pk)
    taken = Product.objects.filter(organization=organization, name__iexact=name)
    if renaming is not None:
        taken = taken.exclude(pk=renaming.pk)
    existing = taken.only("name").first()
    if existing is not None:
        raise DomainError(
            {
                "name": [
                    f"{organization.name} already has a product called “{existing.name}”. "
                    "Choose another name."
                ]
            }
        )


def required_name(name: str) -> str:
    """A name trimmed, refused when empty or longer than a name may be."""
    name = (name or "").strip()
    if not name:
        raise DomainError({"name": ["Give it a name."]})
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError({"name": [f"Keep the name under {NAME_MAX_LENGTH} characters."]})
    return name


def _check_time_zone(name: str) -> None:
    if not is_time_zone(name):
        raise DomainError(
            {"time_zone": ['Give an IANA time zone name, such as "Europe/Berlin" or "UTC".']}
        )


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError({"email": ["Enter a valid email address."]}) from None
    if len(email) > EMAIL_MAX_LENGTH:
        raise DomainError({"email": [f"Keep the email under {EMAIL_MAX_LENGTH} characters."]})
    return email
