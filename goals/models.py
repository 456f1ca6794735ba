from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from goals.schedule import Cadence

# Ids are 64-bit in the database; a larger number must be a 400 or a 404, not an overflow.
MAX_ID = 2**63 - 1

# Measures (baselines, targets, current values, check-in and insight values) keep 4 decimal
# places and come in with at most 15 digits in all, so under 100 billion: SQLite stores them
# as floating point, which holds 15 significant digits exactly; a 16th would come back
# rounded, possibly past the column's precision.
MEASURE_DIGITS = 15
MEASURE_PLACES = 4
MEASURE_LIMIT = 10 ** (MEASURE_DIGITS - MEASURE_PLACES)


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
        reset, change, admin) or a deactivation revokes every API token of the person: whoever
        held the old password, or the account, may have made one."""
        revoke = self.pk is not None and (self._password is not None or not self.is_active)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if revoke:
                self.api_tokens.all().delete()


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
    # Goal-quality checks (goals/quality.py): the codes of the rules this product switched
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


class SprintVerdict(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class AgreementWay(models.TextChoices):
    """How a goal became agreed: the only ways in, since "agreed" is granted, never typed."""

    WORKSHOP = "workshop", "Workshop decision"
    FEEDBACK_ROUND = "feedback_round", "Feedback round"
    RECORD = "record", "Recorded agreement"
    # An import copies the status an export had: a restore, not a decision.
    RESTORED = "restored", "Restored from an export"


OPEN_STATUSES = (Status.DRAFT, Status.PROPOSED, Status.AGREED)
CLOSED_STATUSES = (Status.ACHIEVED, Status.MISSED, Status.DROPPED)
# Goals whose reviews come round: agreed and, for a sprint goal, not judged yet. Finished
# goals and judged sprints leave the review loop: no next review, no reminders.
IN_REVIEW_LOOP = Q(status=Status.AGREED, sprint_verdict="")


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
    # Sprint goals only: whether the sprint met its goal, given at the sprint's end.
    sprint_verdict = models.CharField(max_length=8, choices=SprintVerdict.choices, blank=True)
    # How the goal was last agreed, kept on the row so chain health reads it with the goal.
    agreed_via = models.CharField(max_length=16, choices=AgreementWay.choices, blank=True)
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

    @property
    def in_review_loop(self) -> bool:
        """See IN_REVIEW_LOOP."""
        return self.status == Status.AGREED and not self.sprint_verdict


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
    # Set on the entry that made the goal agreed (or restored it from an export): how.
    via = models.CharField(max_length=16, choices=AgreementWay.choices, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Change of goal {self.goal_id} at {self.at:%Y-%m-%d %H:%M}"


class GoalAgreement(models.Model):
    """The record of one agreement on a goal, beside the history entry it made: who agreed,
    why, who recorded it, and the feedback round it came from (when it did)."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="agreements")
    change = models.OneToOneField(GoalChange, models.CASCADE, related_name="agreement")
    agreed_by = models.ManyToManyField(User, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    feedback_round = models.ForeignKey(
        "FeedbackRound", models.SET_NULL, null=True, blank=True, related_name="agreements"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Agreement on goal {self.goal_id} at {self.created_at:%Y-%m-%d %H:%M}"


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


# Conversations: comments, insights, feedback rounds, watching and notifications.

COMMENT_MAX_LENGTH = 10_000


class Comment(models.Model):
    """A message on a goal or on a workshop proposal.

    Threads are one level deep: a reply's `parent` is its thread's first comment. A removed
    comment keeps its place in the thread, without its text.
    """

    product = models.ForeignKey(Product, models.CASCADE, related_name="comments")
    goal = models.ForeignKey(Goal, models.CASCADE, null=True, blank=True, related_name="comments")
    proposal = models.ForeignKey(
        "workshops.Proposal", models.CASCADE, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(User, models.SET_NULL, null=True, related_name="comments")
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    mentions = models.ManyToManyField(User, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["goal", "created_at"]),
            models.Index(fields=["proposal", "created_at"]),
            models.Index(fields=["product", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__isnull=False, proposal__isnull=True)
                | Q(goal__isnull=True, proposal__isnull=False),
                name="comment_on_a_goal_or_a_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_id}"


class InsightKind(models.TextChoices):
    QUALITATIVE = "qualitative", "Qualitative finding"
    QUANTITATIVE = "quantitative", "Quantitative data point"


class Insight(models.Model):
    """Baseline information attached to a goal, with its source, so everyone argues from facts."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="insights")
    kind = models.CharField(max_length=12, choices=InsightKind.choices)
    summary = models.TextField()
    source = models.CharField(max_length=500)
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    author = models.ForeignKey(User, models.SET_NULL, null=True, related_name="insights")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="qualitative") | Q(value__isnull=False),
                name="quantitative_insight_has_a_value",
            )
        ]

    def __str__(self) -> str:
        return self.summary[:60]


class Watch(models.Model):
    """Someone following a goal. `watching=False` records an explicit unwatch, which automatic
    watching (owning, commenting, being mentioned) leaves alone."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="watches")
    user = models.ForeignKey(User, models.CASCADE, related_name="watches")
    watching = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["goal", "user"], name="one_watch_per_goal")]

    def __str__(self) -> str:
        return f"{self.user_id} {'watches' if self.watching else 'ignores'} {self.goal_id}"


class FeedbackAnswer(models.TextChoices):
    SUPPORT = "support", "Support"
    CONCERNS = "concerns", "Concerns"
    OBJECT = "object", "Object"


class FeedbackRound(models.Model):
    """A leader's request for feedback on a draft goal from chosen people, by a deadline.

    Answers are open until the end of the deadline day; then the round closes.
    """

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="feedback_rounds")
    requested_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    question = models.TextField(blank=True)
    deadline = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the summary email's task in the transaction that sends it: one summary.
    summary_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["closed_at", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["goal"],
                condition=Q(closed_at__isnull=True),
                name="one_open_feedback_round_per_goal",
            )
        ]

    def __str__(self) -> str:
        return f"Feedback round {self.pk} on goal {self.goal_id}"


class FeedbackRequest(models.Model):
    """One person asked in a round, and their answer once they give it."""

    round = models.ForeignKey(FeedbackRound, models.CASCADE, related_name="requests")
    person = models.ForeignKey(User, models.CASCADE, related_name="feedback_requests")
    answer = models.CharField(max_length=10, choices=FeedbackAnswer.choices, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="one_request_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in feedback round {self.round_id}"


class NotificationKind(models.TextChoices):
    MENTION = "mention", "Mention"
    REPLY = "reply", "Reply"
    COMMENT = "comment", "Comment"
    FEEDBACK_REQUEST = "feedback_request", "Feedback request"
    FEEDBACK_REMINDER = "feedback_reminder", "Feedback reminder"
    FEEDBACK_SUMMARY = "feedback_summary", "Feedback summary"
    WORKSHOP_INVITATION = "workshop_invitation", "Workshop invitation"
    DECISION = "decision", "Decision"
    REVIEW_DUE = "review_due", "Review coming up"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    WEEKLY_SUMMARY = "weekly_summary", "Weekly review summary"
    WIN = "win", "Win"
    SPRINT_VERDICT = "sprint_verdict", "Sprint verdict"


class Notification(models.Model):
    """One thing one person should know about, in their inbox and (by preference) by email.

    `key` names the event and the person: an event notifies each person once, however many
    times the code that announces it runs.
    """

    recipient = models.ForeignKey(User, models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, unique=True)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(
        Comment, models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    text = models.CharField(max_length=500)
    excerpt = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when an email carried it, right away or in a digest: never emailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return self.text


class Digest(models.Model):
    """The daily digest email of one person on one day: claimed before it is sent, so the
    job running twice sends nothing twice."""

    recipient = models.ForeignKey(User, models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    notifications = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"Digest of {self.recipient_id} on {self.day}"


# Seeing alignment: the health dashboard's trend.


class HealthSnapshot(models.Model):
    """A product's chain health on one day, recorded once a day for the health trend."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="health_snapshots")
    day = models.DateField()
    score = models.PositiveSmallIntegerField()
    open_goals = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    codes = models.JSONField(default=dict)  # findings per code, e.g. {"orphan": 2}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["product", "day"]
        constraints = [
            models.UniqueConstraint(fields=["product", "day"], name="one_health_snapshot_a_day")
        ]

    def __str__(self) -> str:
        return f"Health of product {self.product_id} on {self.day}: {self.score}"


# The feedback loop: review schedules, check-ins, retrospectives and reminders sent.


class ReviewSchedule(models.Model):
    """How often each level of a product's chain is reviewed, and when owners hear about it.

    A product without a row uses the defaults below; the organisation's time zone decides
    which day it is and when `reminder_hour` comes.
    """

    product = models.OneToOneField(Product, models.CASCADE, related_name="review_schedule")
    vision_cadence = models.CharField(
        max_length=10, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    user_cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    business_cadence = models.CharField(
        max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    product_cadence = models.CharField(
        max_length=10, choices=Cadence.choices, default=Cadence.BIWEEKLY
    )
    sprint_cadence = models.CharField(
        max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    remind_days_before = models.PositiveSmallIntegerField(default=2)
    reminder_hour = models.PositiveSmallIntegerField(default=9)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(remind_days_before__lte=30), name="remind_at_most_30_days_before"
            ),
            models.CheckConstraint(
                condition=Q(reminder_hour__lte=23), name="reminder_hour_of_the_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Review schedule of product {self.product_id}"

    def cadence(self, level: str) -> str:
        return str(getattr(self, f"{level}_cadence"))


class CheckIn(models.Model):
    """A review of a goal with data: its key results' values and the team's confidence."""

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(User, models.SET_NULL, null=True, related_name="check_ins")
    confidence = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The review date this check-in set for the next one.
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["goal", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=1, confidence__lte=5),
                name="check_in_confidence_between_1_and_5",
            )
        ]

    def __str__(self) -> str:
        return f"Check-in on goal {self.goal_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CheckInValue(models.Model):
    """One key result's value at a check-in, with the value it had before."""

    check_in = models.ForeignKey(CheckIn, models.CASCADE, related_name="values")
    key_result = models.ForeignKey(KeyResult, models.CASCADE, related_name="check_in_values")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    previous = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["key_result_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "key_result"], name="one_value_per_key_result_per_check_in"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} for key result {self.key_result_id}"


class Retrospective(models.Model):
    """A blameless look back at a missed goal, offered when the next goal at its level is
    drafted."""

    goal = models.OneToOneField(Goal, models.CASCADE, related_name="retrospective")
    what_happened = models.TextField()
    what_we_learned = models.TextField()
    what_we_change = models.TextField()
    author = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Retrospective of goal {self.goal_id}"


class ReminderKind(models.TextChoices):
    REVIEW_DUE = "review_due", "Review coming up"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    WEEKLY_SUMMARY = "weekly_summary", "Weekly review summary"
    WIN = "win", "Win announced"
    SPRINT_VERDICT = "sprint_verdict", "Sprint verdict asked for"


class ReminderSent(models.Model):
    """One message of the feedback loop to one person, claimed under its unique key in the
    transaction that sends it: a job that runs twice, or on two beat processes, or again
    after its worker died, finds the key taken and sends nothing."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField()
    recipient = models.ForeignKey(User, models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    # False when the person's preference kept it out of their mail (inbox or digest only).
    emailed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "kind", "due_on", "recipient"],
                condition=Q(goal__isnull=False),
                name="one_reminder_per_goal_kind_day_and_person",
            ),
            models.UniqueConstraint(
                fields=["product", "kind", "due_on", "recipient"],
                condition=Q(goal__isnull=True),
                name="one_product_reminder_per_kind_day_and_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.goal_id or self.product_id} due {self.due_on}"
