"""Reads of who belongs where: members of organisations and products, invitations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from goals.models import (
    Invitation,
    Organization,
    Product,
    ProductMembership,
    User,
)


def product_memberships(product: Product) -> QuerySet[ProductMembership]:
    return product.memberships.select_related("user").order_by("role", "user__email")


def organization_memberships(organization: Any) -> QuerySet[Any]:
    """An organisation's memberships with their users, admins first."""
    return organization.memberships.select_related("user").order_by("role", "user__email")


def pending_invitations(organization: Organization) -> QuerySet[Invitation]:
    """Invitations to join an organisation that nobody has answered yet."""
    return organization.invitations.pending().filter(product=None).order_by("email", "id")


def pending_product_invitations(product: Product) -> QuerySet[Invitation]:
    """Invitations to take a role in a product that nobody has answered yet."""
    return product.invitations.pending().order_by("email", "id")


def invitations_for(user: User) -> QuerySet[Invitation]:
    """The invitations waiting for this person's answer, oldest first, with what they are to
    and who sent them."""
    return (
        Invitation.objects.pending()
        .filter(email__iexact=user.email)
        .select_related("organization", "product", "invited_by")
        .order_by("created_at", "id")
    )
