"""Workshops: proposals drafted together, hidden votes, and decisions that adopt goals."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from goals.models import Goal, Level, Product, User


class Phase(models.TextChoices):
    PLANNED = "planned", "Planned"
    DRAFTING = "drafting", "Drafting"
    VOTING = "voting", "Voting"
    REVEALED = "revealed", "Revealed"
    DECIDED = "decided", "Decided"
    CLOSED = "closed", "Closed"
    # Off the way forward: a workshop called off before its decision. Nothing moves it on.
    CANCELLED = "cancelled", "Cancelled"


# The way forward, one phase at a time; "cancelled" is no step of it.
PHASE_ORDER: tuple[str, ...] = tuple(p for p in Phase.values if p != Phase.CANCELLED)
# Before a decision: the workshop may still be edited (its set-up) or cancelled.
UNDECIDED_PHASES: tuple[str, ...] = (Phase.PLANNED, Phase.DRAFTING, Phase.VOTING, Phase.REVEALED)


class VotingMethod(models.TextChoices):
    CONSENT = "consent", "Consent (agree / abstain / object)"
    DOT = "dot", "Dot voting"
    SCORE = "score", "Score 1–5"
    FIST_OF_FIVE = "fist_of_five", "Fist of five"


class DecisionRule(models.TextChoices):
    UNANIMOUS = "unanimous", "Unanimous"
    CONSENT = "consent", "Consent"
    MAJORITY = "majority", "Majority"


STRATEGIC_LEVELS: tuple[str, ...] = (Level.VISION, Level.USER, Level.BUSINESS)
# A planned workshop this long past its time did not take place.
NOT_HELD_AFTER = timedelta(days=1)


def default_rule(level: str, method: str = VotingMethod.CONSENT) -> str:
    """Vision, user and business goals are adopted unanimously; product and sprint goals by
    consent, or by majority under dot voting (dots raise no objections to consent with)."""
    if level in STRATEGIC_LEVELS:
        return DecisionRule.UNANIMOUS
    if method == VotingMethod.DOT:
        return DecisionRule.MAJORITY
    return DecisionRule.CONSENT


class Workshop(models.Model):
    product = models.ForeignKey(Product, models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200)
    target_level = models.CharField(max_length=10, choices=Level.choices)
    parent_goal = models.ForeignKey(
        Goal, models.RESTRICT, null=True, blank=True, related_name="workshops"
    )
    facilitator = models.ForeignKey(User, models.PROTECT, related_name="facilitated_workshops")
    scheduled_at = models.DateTimeField(null=True, blank=True)
    agenda = models.TextField(blank=True)
    ground_rules = models.TextField(blank=True)
    voting_method = models.CharField(
        max_length=12, choices=VotingMethod.choices, default=VotingMethod.CONSENT
    )
    decision_rule = models.CharField(max_length=10, choices=DecisionRule.choices)
    dots_per_voter = models.PositiveSmallIntegerField(default=3)
    anonymous = models.BooleanField(default=False)
    # Minutes per phase, e.g. {"drafting": 20, "voting": 10}; the room counts down.
    timeboxes = models.JSONField(default=dict, blank=True)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.PLANNED)
    phase_started_at = models.DateTimeField(default=timezone.now)
    round = models.PositiveSmallIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    # The phase it was cancelled in: votes revealed before cancelling stay revealed, others
    # stay hidden for good.
    cancelled_in = models.CharField(max_length=10, choices=Phase.choices, blank=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_revealed(self) -> bool:
        phase = self.cancelled_in if self.phase == Phase.CANCELLED else self.phase
        return PHASE_ORDER.index(phase) >= PHASE_ORDER.index(Phase.REVEALED)

    @property
    def is_cancelled(self) -> bool:
        return self.phase == Phase.CANCELLED

    @property
    def is_undecided(self) -> bool:
        """Before a decision: the set-up can be edited and the workshop cancelled."""
        return self.phase in UNDECIDED_PHASES

    def not_held(self, now: datetime) -> bool:
        """Still planned more than a day after its time: it did not take place."""
        return (
            self.phase == Phase.PLANNED
            and self.scheduled_at is not None
            and self.scheduled_at < now - NOT_HELD_AFTER
        )


class Participant(models.Model):
    workshop = models.ForeignKey(Workshop, models.CASCADE, related_name="participants")
    user = models.ForeignKey(User, models.CASCADE, related_name="workshop_seats")
    can_vote = models.BooleanField(default=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    # Claimed by the invitation task in the transaction that sends it: one email per seat.
    sent_at = models.DateTimeField(null=True, blank=True)
    # Claimed the same way by the task that tells the seat the workshop was cancelled.
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="one_seat_per_workshop")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workshop}"


class PhaseChange(models.Model):
    workshop = models.ForeignKey(Workshop, models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=10, choices=Phase.choices)
    to_phase = models.CharField(max_length=10, choices=Phase.choices)
    round = models.PositiveSmallIntegerField(default=1)
    by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_phase} → {self.to_phase}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ADOPTED = "adopted", "Adopted"
    NOT_ADOPTED = "not_adopted", "Not adopted"


class Proposal(models.Model):
    workshop = models.ForeignKey(Workshop, models.CASCADE, related_name="proposals")
    author = models.ForeignKey(User, models.SET_NULL, null=True, related_name="proposals")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # Draft key results: [{"title", "unit", "baseline", "target", "owner"}].
    key_results = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ProposalRevision(models.Model):
    """Every save of a proposal: who, when, the full text and what changed."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    snapshot = models.JSONField()
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="one_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} revision {self.number}"


class Vote(models.Model):
    """One voter's vote on one proposal in one round; a new vote replaces the old one."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="votes")
    voter = models.ForeignKey(User, models.CASCADE, related_name="workshop_votes")
    round = models.PositiveSmallIntegerField(default=1)
    # consent: "agree" | "abstain" | "object"; dot, score, fist_of_five: a number as text.
    value = models.CharField(max_length=10)
    reason = models.TextField(blank=True)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "voter", "round"], name="one_vote_per_voter_per_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"Vote of {self.voter_id} on {self.proposal_id}"


class Decision(models.Model):
    """What the room decided on a proposal, by which rule, with the tallies behind it."""

    workshop = models.ForeignKey(Workshop, models.CASCADE, related_name="decisions")
    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField(default=1)
    rule = models.CharField(max_length=10, choices=DecisionRule.choices)
    voting_method = models.CharField(max_length=12, choices=VotingMethod.choices)
    passed = models.BooleanField()
    reason = models.TextField(blank=True)
    tallies = models.JSONField(default=dict)
    objections = models.JSONField(default=list)
    goal = models.OneToOneField(
        Goal, models.SET_NULL, null=True, blank=True, related_name="decision"
    )
    decided_by = models.ForeignKey(User, models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(passed=True), name="one_adoption_per_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{'Adopted' if self.passed else 'Not adopted'}: {self.proposal}"


class WorkshopEvent(models.Model):
    """A change in the room, for live updates. Never carries a vote value before reveal."""

    workshop = models.ForeignKey(Workshop, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
