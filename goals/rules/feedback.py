"""Feedback rounds: when one is open, how its answers add up (and whether they agree a goal),
and when its reminders are due."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from goals.models import FeedbackAnswer, FeedbackRequest, FeedbackRound

REMINDER_HOUR = 8  # the "morning" of a reminder day, in the app's time zone


def is_open(feedback_round: FeedbackRound, now: datetime | None = None) -> bool:
    """Open until it is closed, and never past the end of its deadline day."""
    return feedback_round.closed_at is None and timezone.localdate(now) <= feedback_round.deadline


def tally(requests: Sequence[FeedbackRequest]) -> dict[str, int]:
    """How many answered what, and how many have not answered."""
    counts = Counter(r.answer for r in requests if r.answer)
    summary = {answer: counts.get(answer, 0) for answer in FeedbackAnswer.values}
    summary["no_answer"] = sum(1 for r in requests if not r.answer)
    return summary


def round_supported(requests: Sequence[FeedbackRequest]) -> bool:
    """Everyone asked in a round answered "support" (a round nobody was asked in is no vote)."""
    return bool(requests) and all(r.answer == FeedbackAnswer.SUPPORT for r in requests)


def reminder_moments(feedback_round: FeedbackRound) -> dict[str, datetime]:
    """When the two reminders are due: two days before, and the deadline's morning."""
    return {
        "two-days": _morning(feedback_round.deadline - timedelta(days=2)),
        "deadline-day": _morning(feedback_round.deadline),
    }


def _morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(REMINDER_HOUR)))
