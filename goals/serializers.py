"""API shapes. Serializers check the types of what comes in; services check the rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from rest_framework import serializers

from goals.access import role_of
from goals.models import (
    MAX_ID,
    MEASURE_DIGITS,
    MEASURE_PLACES,
    AgreementWay,
    Invitation,
    Level,
    Organization,
    OrganizationMembership,
    OrgRole,
    Product,
    ProductMembership,
    ProductRole,
    SprintVerdict,
    Status,
)
from goals.rules import DATE_WINDOW_MESSAGE, in_date_window
from goals.selectors import goal_api_dict, key_result_as_dict

EMAIL_MAX_LENGTH = 254


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An integer id of another object, within the range the database can store."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class DateInWindowField(serializers.DateField):
    """A date someone types: refused outside 1970 to 2200, where it can only be a typo."""

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        if not in_date_window(day):
            raise serializers.ValidationError(DATE_WINDOW_MESSAGE, code="date_window")
        return day


class DateTimeInWindowField(serializers.DateTimeField):
    """A moment someone types, on a day between 1970 and 2200."""

    # A moment too far out for its time zone overflows before its day can be checked.
    default_error_messages = {"overflow": DATE_WINDOW_MESSAGE}

    def to_internal_value(self, value: Any) -> datetime:
        moment = super().to_internal_value(value)
        if not in_date_window(moment.date()):
            raise serializers.ValidationError(DATE_WINDOW_MESSAGE, code="date_window")
        return moment


class VersionedSerializer(serializers.Serializer):
    """Adds the write-only-on-input, read-on-output `version` of objects edited together."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Required to edit: send the version you read; a stale one gets 409 and "
        "changes nothing.",
    )


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


def role_field(choices: type[models.TextChoices]) -> serializers.ChoiceField:
    """A role, documented with its choices; anything else is named in the error."""
    return serializers.ChoiceField(
        choices=choices.choices,
        error_messages={"invalid_choice": f"Choose one of: {', '.join(choices.values)}."},
    )


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


class KeyResultSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    goal = id_field()
    title = serializers.CharField(max_length=300)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    baseline = serializers.DecimalField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    target = serializers.DecimalField(max_digits=MEASURE_DIGITS, decimal_places=MEASURE_PLACES)
    current = serializers.DecimalField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        required=False,
        help_text="Defaults to the baseline.",
    )
    owner = id_field(allow_null=True)
    owner_name = serializers.CharField(read_only=True)
    due_on = DateInWindowField(required=False, allow_null=True)
    progress = serializers.IntegerField(read_only=True, help_text="0 to 100")
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required on an agreed goal to add a key result or change its title, unit, "
        "baseline, target or due date; kept in the goal's history.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return key_result_as_dict(instance)


class GoalSerializer(VersionedSerializer):
    id = serializers.IntegerField(read_only=True)
    product = id_field(help_text="Write once.")
    level = serializers.ChoiceField(choices=Level.choices, help_text="Write once.")
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text="Markdown."
    )
    description_html = serializers.CharField(read_only=True)
    parents = serializers.ListField(child=id_field(), required=False, max_length=50)
    owner = id_field(required=False, allow_null=True)
    owner_name = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    starts_on = DateInWindowField(required=False, allow_null=True)
    ends_on = DateInWindowField(required=False, allow_null=True)
    confidence = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    next_review_on = DateInWindowField(required=False, allow_null=True)
    outcome_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    sprint_verdict = serializers.ChoiceField(
        choices=SprintVerdict.choices,
        read_only=True,
        allow_null=True,
        help_text="Sprint goals: met or not met, given at the sprint's end "
        "(PUT /api/goals/{id}/sprint-verdict/).",
    )
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=2000
    )
    progress = serializers.IntegerField(read_only=True)
    key_results = KeyResultSerializer(many=True, read_only=True)
    health = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return goal_api_dict(instance)


class AgreementInputSerializer(serializers.Serializer):
    """One of two shapes: a closed feedback round everyone supported, or an agreement
    reached elsewhere with who agreed and why."""

    feedback_round = id_field(
        required=False,
        help_text="A closed feedback round on this goal in which everyone asked supported it.",
    )
    agreed_by = serializers.ListField(
        child=id_field(),
        required=False,
        max_length=100,
        help_text="User ids of the product members who agreed, elsewhere than in the app.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Where and why it was agreed (with `agreed_by`).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        by_round, by_record = "feedback_round" in attrs, "agreed_by" in attrs
        if by_round == by_record:
            raise serializers.ValidationError(
                "Send either a closed feedback round (feedback_round), or who agreed and why "
                "(agreed_by and reason); not both, not neither."
            )
        if by_round and "reason" in attrs:
            raise serializers.ValidationError(
                {"reason": ["A reason goes with the people who agreed, not with a feedback round."]}
            )
        return attrs


class GoalChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.IntegerField(source="by_id", allow_null=True)
    by_name = serializers.SerializerMethodField()
    changes = serializers.DictField(child=serializers.ListField())
    reason = serializers.CharField()
    via = serializers.ChoiceField(
        choices=AgreementWay.choices,
        allow_blank=True,
        help_text="How the goal became agreed (or was restored from an export) in this change; "
        "empty for other changes.",
    )

    def get_by_name(self, obj: Any) -> str | None:
        return obj.by.name if obj.by else None


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
