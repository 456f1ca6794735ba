"""Conversations around goals: comments (on goals or workshop proposals), insights,
watching a goal, and feedback rounds with their requests and answers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from goals.models.chain import Goal
from goals.models.people import Product, User

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
