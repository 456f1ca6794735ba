"""People and where they belong: the user model (goals.User, the AUTH_USER_MODEL) and its
manager, email preferences, organisations and their memberships and roles, invitations, and
products with their memberships and roles."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email: str | None) -> User:
        return self.get(email__iexact=email)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class EmailFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Right away"
    DAILY = "daily", "Once a day, as a digest"
    OFF = "off", "Never (the inbox only)"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    email_notifications = models.CharField(
        max_length=12, choices=EmailFrequency.choices, default=EmailFrequency.IMMEDIATELY
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    # AbstractBaseUser's: the raw password from set_password() until the next save (untyped in
    # django-stubs).
    _password: str | None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new password (set_password keeps it in `_password` until this save, on every path:
        reset, change, admin) or a deactivation revokes every API token and the calendar feed
        of the person: whoever held the old password, or the account, may have made them."""
        revoke = self.pk is not None and (self._password is not None or not self.is_active)
        if not revoke:  # one statement: no transaction of its own (sign-ins save last_login)
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.api_tokens.all().delete()
            # By name: goals/models/integrations.py imports this module.
            apps.get_model("goals", "CalendarFeed").objects.filter(user=self).delete()


class Organization(models.Model):
    name = models.CharField(max_length=200)
    business_strategy = models.TextField(blank=True)
    business_strategy_html = models.TextField(blank=True, editable=False)
    # An IANA name ("Europe/Berlin"): the days of reviews and the hour reminders go out.
    time_zone = models.CharField(max_length=64, default="UTC")
    # Single sign-on: people whose email is at this domain join as members the first time
    # they sign in through the identity provider ("" for nobody).
    email_domain = models.CharField(max_length=253, blank=True)
    # Members sign in through the identity provider only: no password sign-in, reset or token.
    sso_only = models.BooleanField(default=False)
    # Members who sign in with a password must use a second factor (an authenticator app).
    require_two_factor = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class OrgRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class OrganizationMembership(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, models.CASCADE, related_name="org_memberships")
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in organisation {self.organization_id} as {self.role}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Invitations nobody has answered yet (a withdrawn one is deleted)."""
        return self.filter(accepted_at__isnull=True, declined_at__isnull=True)


class Invitation(models.Model):
    """A membership someone was offered and has not answered yet: of an organisation, or,
    with `product` set, of one of its products (then `product_role` is the role offered)."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="invitations")
    product = models.ForeignKey(
        "Product", models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    product_role = models.CharField(max_length=12, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the email task in the transaction that sends it: one email per invitation.
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True, product=None),
                name="one_pending_invitation_per_email",
            ),
            models.UniqueConstraint(
                fields=["product", "email"],
                condition=Q(
                    accepted_at__isnull=True, declined_at__isnull=True, product__isnull=False
                ),
                name="one_pending_product_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to organisation {self.organization_id}"


class Product(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="products")
    name = models.CharField(max_length=200)
    portfolio_strategy = models.TextField(blank=True)
    portfolio_strategy_html = models.TextField(blank=True, editable=False)
    # The Product Vision Board's boxes the chain does not hold (vision and business goals
    # come from the chain itself). Plain text, one point a line.
    target_group = models.TextField(blank=True)
    needs = models.TextField(blank=True)
    product_summary = models.TextField(blank=True)
    # Goal-quality checks (goals/rules/quality.py): the codes of the rules this product switched
    # off, and how many product goals may be live at once before it is flagged.
    quality_rules_off = models.JSONField(default=list, blank=True)
    max_live_product_goals = models.PositiveSmallIntegerField(default=5)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ProductRole(models.TextChoices):
    LEADER = "leader", "Product leader"
    TEAM = "team", "Team member"
    STAKEHOLDER = "stakeholder", "Stakeholder"


class ProductMembership(models.Model):
    product = models.ForeignKey(Product, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, models.CASCADE, related_name="product_memberships")
    role = models.CharField(max_length=12, choices=ProductRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "user"], name="one_membership_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in product {self.product_id} as {self.role}"
