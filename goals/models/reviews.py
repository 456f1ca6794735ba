"""The feedback loop: review schedules, check-ins and the key result values they record,
retrospectives of missed goals, and the reminders sent."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from goals.models.chain import Goal, KeyResult
from goals.models.people import Product, User

# The reason of the history entry a check-in makes (the activity feed tells the check-in).
CHECK_IN_REASON = "Check-in"


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    NONE = "none", "No regular review"


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
