"""API shapes of organisations and products, their members and invitations, and of asking
for an API token with an email and password."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from goals.access import role_of
from goals.api.serializers.common import VersionedSerializer, id_field, role_field
from goals.models import (
    Invitation,
    Organization,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
)

EMAIL_MAX_LENGTH = 254


class OrganizationSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    business_strategy = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    business_strategy_html = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(
        required=False,
        max_length=64,
        help_text='An IANA time zone such as "Europe/Berlin" (default "UTC"): the days of '
        "reviews and the hour reminders go out.",
    )
    email_domain = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=253,
        help_text='A domain such as "example.com" ("" for none): people with an email at it '
        "join as members when they first sign in with single sign-on. Set with PATCH.",
    )
    sso_only = serializers.BooleanField(
        required=False,
        help_text="Members sign in with single sign-on only: no password sign-in, reset or "
        "token. Refused while single sign-on is not set up on the server. Set with PATCH.",
    )
    require_two_factor = serializers.BooleanField(
        required=False,
        help_text="Members who sign in with a password must use two-factor sign-in. "
        "Set with PATCH.",
    )
    role = serializers.CharField(read_only=True, source="my_org_role")
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Organization) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["version"] = instance.version
        return data


class OrganizationMemberInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    role = serializers.ChoiceField(choices=OrgRole.choices, default=OrgRole.MEMBER)


class MemberSerializer(serializers.Serializer):
    """A member, or someone invited who has not answered yet (`status: "pending"`, shown by
    the email typed only; its `id` is the invitation's). Subclasses document the roles."""

    id = serializers.IntegerField(read_only=True)
    user = serializers.IntegerField(read_only=True, allow_null=True)
    email = serializers.EmailField(read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=["active", "pending"], read_only=True)

    def to_representation(
        self, instance: OrganizationMembership | ProductMembership | Invitation
    ) -> dict[str, Any]:
        if isinstance(instance, Invitation):
            role = instance.product_role if instance.product_id else instance.role
            return {
                "id": instance.pk,
                "user": None,
                "email": instance.email,
                "name": instance.email,
                "role": role,
                "status": "pending",
            }
        return {
            "id": instance.pk,
            "user": instance.user_id,
            "email": instance.user.email,
            "name": instance.user.name,
            "role": instance.role,
            "status": "active",
        }


class OrganizationMemberSerializer(MemberSerializer):
    role = serializers.ChoiceField(choices=OrgRole.choices)


class OrganizationRoleSerializer(serializers.Serializer):
    role = role_field(OrgRole)


class ProductRoleSerializer(serializers.Serializer):
    role = role_field(ProductRole)


class ProductSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    organization = id_field()
    name = serializers.CharField(max_length=200)
    portfolio_strategy = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    portfolio_strategy_html = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True, help_text="Your role here.")
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Product) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "organization": instance.organization_id,
            "name": instance.name,
            "portfolio_strategy": instance.portfolio_strategy,
            "portfolio_strategy_html": instance.portfolio_strategy_html,
            "role": str(role_of(instance)),
            "version": instance.version,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
        }


class ProductMemberInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    role = serializers.ChoiceField(choices=ProductRole.choices)


class ProductMemberSerializer(MemberSerializer):
    role = serializers.ChoiceField(choices=ProductRole.choices)


class InvitationSentSerializer(serializers.Serializer):
    """The answer to adding someone: the email typed and the role offered, nothing of the
    account, so that it reads the same whether or not the email has one."""

    email = serializers.EmailField(read_only=True)
    role = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=["pending"], read_only=True)

    def to_representation(self, instance: Invitation) -> dict[str, Any]:
        role = instance.role if instance.product_id is None else instance.product_role
        return {"email": instance.email, "role": role, "status": "pending"}


class InvitationSerializer(serializers.Serializer):
    """An invitation as the invited person sees it: to what, as what, from whom."""

    id = serializers.IntegerField(read_only=True)
    organization_name = serializers.CharField(read_only=True)
    product_name = serializers.CharField(read_only=True, allow_null=True)
    role = serializers.CharField(read_only=True, help_text="The organisation or product role.")
    invited_by_name = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    status = serializers.ChoiceField(choices=["pending", "accepted", "declined"], read_only=True)

    def to_representation(self, instance: Invitation) -> dict[str, Any]:
        product = instance.product
        status = "pending"
        if instance.accepted_at is not None:
            status = "accepted"
        elif instance.declined_at is not None:
            status = "declined"
        return {
            "id": instance.pk,
            "organization_name": instance.organization.name,
            "product_name": product.name if product is not None else None,
            "role": instance.role if product is None else instance.product_role,
            "invited_by_name": instance.invited_by.name if instance.invited_by else None,
            "created_at": serializers.DateTimeField().to_representation(instance.created_at),
            "status": status,
        }


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    password = serializers.CharField(trim_whitespace=False)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Only for accounts with two-factor sign-in: the 6-digit code from the "
        "authenticator app, or one of the recovery codes.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="A new read-write API token: shown this once.")
    id = serializers.IntegerField(help_text="Revoke it with DELETE /api/tokens/{id}/.")
    name = serializers.CharField(help_text="Named after the client that asked for it.")
