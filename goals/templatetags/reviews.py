"""Template filters of the feedback loop."""

from __future__ import annotations

from datetime import date

from django import template

from goals.models import Goal, Status
from goals.schedule import ReviewDue
from goals.schedule import review_due as due_in

register = template.Library()


@register.filter
def review_due(goal: Goal, today: date | None) -> ReviewDue | None:
    """How far an agreed goal's next review is from `today`: `{{ goal|review_due:today }}`."""
    if today is None or goal.status != Status.AGREED:
        return None
    return due_in(goal.next_review_on, today)
