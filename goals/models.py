from __future__ import annotations

import secrets
from decimal import Decimal
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
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


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

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


class Organization(models.Model):
    name = models.CharField(max_length=200)
    business_strategy = models.TextField(blank=True)
    business_strategy_html = models.TextField(blank=True, editable=False)
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


class Invitation(models.Model):
    """A pending organisation membership for an email that has no account yet."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the email task in the transaction that sends it: one email per invitation.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to organisation {self.organization_id}"


class Product(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="products")
    name = models.CharField(max_length=200)
    portfolio_strategy = models.TextField(blank=True)
    portfolio_strategy_html = models.TextField(blank=True, editable=False)
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


class Level(models.TextChoices):
    VISION = "vision", "Product vision"
    USER = "user", "User goal"
    BUSINESS = "business", "Business goal"
    PRODUCT = "product", "Product goal"
    SPRINT = "sprint", "Sprint goal"


# Which levels a goal of each level may link up to.
PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    Level.VISION: (),
    Level.USER: (Level.VISION,),
    Level.BUSINESS: (Level.VISION,),
    Level.PRODUCT: (Level.USER, Level.BUSINESS),
    Level.SPRINT: (Level.PRODUCT,),
}
MAX_PARENTS: dict[str, int] = {
    Level.VISION: 0,
    Level.USER: 1,
    Level.BUSINESS: 1,
    Level.PRODUCT: 20,
    Level.SPRINT: 1,
}
CHILD_LEVELS: dict[str, tuple[str, ...]] = {
    level: tuple(child for child, parents in PARENT_LEVELS.items() if level in parents)
    for level in Level.values
}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (Status.DRAFT, Status.PROPOSED, Status.AGREED)
CLOSED_STATUSES = (Status.ACHIEVED, Status.MISSED, Status.DROPPED)


class Goal(models.Model):
    product = models.ForeignKey(Product, models.CASCADE, related_name="goals")
    level = models.CharField(max_length=10, choices=Level.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    owner = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="owned_goals"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    # Rolled up on every write that can change it, so reads never walk the tree.
    progress = models.PositiveSmallIntegerField(default=0)
    parents = models.ManyToManyField(
        "self", through="GoalLink", symmetrical=False, related_name="children", blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["product", "level", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(level="vision") & ~Q(status="dropped"),
                name="one_live_vision_per_product",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=5),
                name="confidence_between_1_and_5",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gt=models.F("starts_on")),
                name="goal_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class GoalLink(models.Model):
    """`child` serves `parent`, exactly one level up."""

    child = models.ForeignKey(Goal, models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Goal, models.CASCADE, related_name="child_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="one_link_per_pair"),
            models.CheckConstraint(condition=~Q(child=models.F("parent")), name="no_self_link"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} serves {self.parent_id}"


class GoalChange(models.Model):
    """One entry of a goal's history: who changed what, when and why."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="changes")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    changes = models.JSONField(default=dict)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Change of goal {self.goal_id} at {self.at:%Y-%m-%d %H:%M}"


class KeyResult(models.Model):
    goal = models.ForeignKey(Goal, models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=300)
    unit = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=4)
    target = models.DecimalField(max_digits=16, decimal_places=4)
    current = models.DecimalField(max_digits=16, decimal_places=4)
    owner = models.ForeignKey(User, models.PROTECT, related_name="owned_key_results")
    due_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target=models.F("baseline")), name="target_differs_from_baseline"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int:
        return key_result_progress(self.baseline, self.target, self.current)


def key_result_progress(baseline: Decimal, target: Decimal, current: Decimal) -> int:
    """(current - baseline) / (target - baseline) as a whole percentage, clamped to 0..100."""
    span = target - baseline
    if span == 0:
        return 0
    share = (current - baseline) / span * 100
    return int(max(Decimal(0), min(Decimal(100), share)).to_integral_value())
