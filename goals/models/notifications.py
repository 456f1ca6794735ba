"""Notifications: what one person should know about, in their inbox and by email, and the
daily digest emails claimed so none is sent twice."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from goals.models.chain import Goal
from goals.models.conversations import Comment
from goals.models.people import Product, User


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
    SOURCE_FAILED = "source_failed", "Data source failing"
    HOOK_DISABLED = "hook_disabled", "Hook switched off"


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
