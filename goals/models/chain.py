"""The goal chain: levels and the links each level may make, statuses, sprint verdicts and
ways of agreeing, goals, their links, history entries, agreements and key results, and the
chain's limits on ids and measures."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from goals.models.people import Product, User

# Ids are 64-bit in the database; a larger number must be a 400 or a 404, not an overflow.
MAX_ID = 2**63 - 1

# Measures (baselines, targets, current values, check-in and insight values) keep 4 decimal
# places and come in with at most 15 digits in all, so under 100 billion: SQLite stores them
# as floating point, which holds 15 significant digits exactly; a 16th would come back
# rounded, possibly past the column's precision.
MEASURE_DIGITS = 15
MEASURE_PLACES = 4
MEASURE_LIMIT = 10 ** (MEASURE_DIGITS - MEASURE_PLACES)


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
    # Who made it when no person did: a metric token's name, or a key result's source.
    by_name = models.CharField(max_length=120, blank=True)
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
