"""API shapes of organisations and products, their members and invitations, and of asking
for an API token with an email and password."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from goals.access import role_of
from goals.api.serializers.common import VersionedSerializer, id_field, moved_last, role_field
from goals.models import (
    Invitation,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
)

EMAIL_MAX_LENGTH = 254

# The members of an organisation or product as listed: memberships, then invitations nobody
# has answered yet.
type Member = OrganizationMembership | ProductMembership | Invitation


def offered_role(invitation: Invitation) -> str:
    """The role an invitation offers: in the product if it is to one, else in the organisation."""
    return invitation.role if invitation.product_id is None else invitation.product_role


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


class OrganizationMemberInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    role = serializers.ChoiceField(choices=OrgRole.choices, default=OrgRole.MEMBER)


class MemberSerializer(serializers.Serializer):
    """A member, or someone invited who has not answered yet (`status: "pending"`, shown by
    the email typed only; its `id` is the invitation's). Subclasses document the roles."""

    id = serializers.IntegerField(read_only=True)
    user = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(read_only=True, allow_null=True))
    def get_user(self, member: Member) -> int | None:
        return None if isinstance(member, Invitation) else member.user_id

    @extend_schema_field(serializers.EmailField())
    def get_email(self, member: Member) -> str:
        return member.email if isinstance(member, Invitation) else member.user.email

    @extend_schema_field(serializers.CharField())
    def get_name(self, member: Member) -> str:
        return member.email if isinstance(member, Invitation) else member.user.name

    @extend_schema_field(serializers.ChoiceField(choices=["active", "pending"]))
    def get_status(self, member: Member) -> str:
        return "pending" if isinstance(member, Invitation) else "active"

    def to_representation(self, instance: Member) -> dict[str, Any]:
        return moved_last(super().to_representation(instance), "status")


class MemberRoleField(serializers.ChoiceField):
    """A member's role; for someone invited, the role offered."""

    def get_attribute(self, instance: Member) -> str:
        if isinstance(instance, Invitation):
            return offered_role(instance)
        return instance.role


class OrganizationMemberSerializer(MemberSerializer):
    role = MemberRoleField(choices=OrgRole.choices)


class OrganizationRoleSerializer(serializers.Serializer):
    role = role_field(OrgRole)


class ProductRoleSerializer(serializers.Serializer):
    role = role_field(ProductRole)


class ProductSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    organization = id_field(foreign_key=True)
    name = serializers.CharField(max_length=200)
    portfolio_strategy = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    portfolio_strategy_html = serializers.CharField(read_only=True)
    role = serializers.SerializerMethodField(help_text="Your role here.")
    created_at = serializers.DateTimeField(read_only=True)

    def get_role(self, product: Product) -> str:
        return str(role_of(product))

    def to_representation(self, instance: Product) -> dict[str, Any]:
        return moved_last(super().to_representation(instance), "version", "created_at")


class ProductMemberInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    role = serializers.ChoiceField(choices=ProductRole.choices)


class ProductMemberSerializer(MemberSerializer):
    role = MemberRoleField(choices=ProductRole.choices)


class InvitationSentSerializer(serializers.Serializer):
    """The answer to adding someone: the email typed and the role offered, nothing of the
    account, so that it reads the same whether or not the email has one."""

    email = serializers.EmailField(read_only=True)
    role = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    def get_role(self, invitation: Invitation) -> str:
        return offered_role(invitation)

    @extend_schema_field(serializers.ChoiceField(choices=["pending"]))
    def get_status(self, invitation: Invitation) -> str:
        return "pending"


class InvitationSerializer(serializers.Serializer):
    """An invitation as the invited person sees it: to what, as what, from whom."""

    id = serializers.IntegerField(read_only=True)
    organization_name = serializers.CharField(read_only=True, source="organization.name")
    product_name = serializers.CharField(read_only=True, allow_null=True, source="product.name")
    role = serializers.SerializerMethodField(help_text="The organisation or product role.")
    invited_by_name = serializers.CharField(
        read_only=True, allow_null=True, source="invited_by.name"
    )
    created_at = serializers.DateTimeField(read_only=True)
    status = serializers.SerializerMethodField()

    def get_role(self, invitation: Invitation) -> str:
        return offered_role(invitation)

    @extend_schema_field(serializers.ChoiceField(choices=["pending", "accepted", "declined"]))
    def get_status(self, invitation: Invitation) -> str:
        if invitation.accepted_at is not None:
            return "accepted"
        if invitation.declined_at is not None:
            return "declined"
        return "pending"


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
