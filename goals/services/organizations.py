"""Writes to organisations, products and their members (invitations: `invitations`)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from accounts.sso_provider import sso_enabled
from goals.errors import DomainError, Errors, still_referenced
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
from goals.rules.schedule import DEFAULT_TIME_ZONE, is_time_zone
from goals.services.invitations import invite
from goals.services.versioning import check_version, save_versioned
from workshops.services.setup import member_seats_end

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length or 254
# Organisations and products alike.
NAME_MAX_LENGTH = Product._meta.get_field("name").max_length or 200


def organization_create(
    *, actor: User, name: str, business_strategy: str = "", time_zone: str = DEFAULT_TIME_ZONE
) -> Organization:
    """Create an organisation; its creator becomes its first admin."""
    name = required_name(name=name)
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
    """Rename an organisation, or change its business strategy, time zone or how its members
    sign in (its email domain, single sign-on only, two-factor for passwords)."""
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        check_version(org, version)
        fields = _sign_in_settings(actor, org, data)
        if "name" in data:
            org.name = required_name(name=data["name"])
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


# A domain name such as example.com: dot-separated labels of letters, digits and inner hyphens.
_DOMAIN = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+")


def _sign_in_settings(actor: User, org: Organization, data: dict[str, Any]) -> list[str]:
    """Apply the sign-in settings in `data` to `org`; the names of the fields changed.

    An admin may claim only their own email's domain: anyone the provider signs in at a
    domain joins the organisation claiming it, so claiming another's would draw in strangers."""
    errors = Errors()
    fields = []
    if "email_domain" in data:
        domain = (data["email_domain"] or "").strip().lower()
        own = actor.email.rpartition("@")[2].lower()
        if domain and (len(domain) > 253 or not _DOMAIN.fullmatch(domain)):
            errors.add("email_domain", 'Enter a domain such as example.com: no "@", no spaces.')
        elif domain and domain != org.email_domain and domain != own:
            errors.add(
                "email_domain",
                f"Use your own email's domain ({own}): people at a domain join the organisation "
                "that names it, so only someone at that domain may name it.",
            )
        org.email_domain = domain
        fields.append("email_domain")
    if "sso_only" in data:
        if data["sso_only"] and not org.sso_only and not sso_enabled():
            errors.add(
                "sso_only",
                "Single sign-on is not set up on this server, so members could not sign in. "
                "Ask whoever runs Goal Chain to set it up first.",
            )
        org.sso_only = bool(data["sso_only"])
        fields.append("sso_only")
    if "require_two_factor" in data:
        org.require_two_factor = bool(data["require_two_factor"])
        fields.append("require_two_factor")
    errors.raise_if_any()
    return fields


def organization_member_add(
    *, actor: User, organization: Organization, email: str, role: str = OrgRole.MEMBER
) -> Invitation:
    """Invite an email to join: whether or not it has an account, it gets a pending invitation
    and an email, and the inviter learns nothing of the account (the answer is the same)."""
    email = _clean_email(email)
    if role not in OrgRole.values:
        raise DomainError({"role": [f"Choose one of: {', '.join(OrgRole.values)}."]})
    if organization.memberships.filter(user__email__iexact=email).exists():
        raise DomainError({"email": [f"{email} is already a member."]})
    return invite(actor=actor, organization=organization, email=email, role=role)


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
        member_seats_end(
            user_id=membership.user_id,
            product_ids=list(
                Product.objects.filter(organization_id=membership.organization_id).values_list(
                    "pk", flat=True
                )
            ),
        )
        membership.delete()


def product_create(
    *, actor: User, organization: Organization, name: str, portfolio_strategy: str = ""
) -> Product:
    """Create a product; its creator becomes its first leader. Names are unique in an
    organisation, whatever their case."""
    name = required_name(name=name)
    with transaction.atomic():
        check_product_name_free(organization=organization, name=name)
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
            name = required_name(name=data["name"])
            # Only a new name is checked: a product kept under a name shared before names
            # were unique can still be saved.
            if name != current.name:
                check_product_name_free(
                    organization=current.organization, name=name, renaming=current
                )
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


def product_member_add(*, actor: User, product: Product, email: str, role: str) -> Invitation:
    """Invite an organisation member to a product with a role; they join when they accept."""
    email = _clean_email(email)
    errors = Errors()
    if role not in ProductRole.values:
        errors.add("role", f"Choose one of: {', '.join(ProductRole.values)}.")
    if not OrganizationMembership.objects.filter(
        organization_id=product.organization_id, user__email__iexact=email
    ).exists():
        errors.add(
            "email",
            f"{email} is not a member of this organisation. Invite them to the organisation first.",
        )
    elif product.memberships.filter(user__email__iexact=email).exists():
        errors.add("email", f"{email} is already a member of this product.")
    errors.raise_if_any()
    return invite(
        actor=actor,
        organization=product.organization,
        email=email,
        product=product,
        product_role=role,
    )


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
        member_seats_end(user_id=membership.user_id, product_ids=[membership.product_id])


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
    *, organization: Organization, name: str, renaming: Product | None = None
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


def required_name(*, name: str) -> str:
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
