"""Template filters of the feedback loop."""

from __future__ import annotations

from datetime import date

from django import template

from goals.models import Goal
from goals.rules.schedule import ReviewDue
from goals.rules.schedule import review_due as due_in

register = template.Library()


@register.filter
def review_due(goal: Goal, today: date | None) -> ReviewDue | None:
    """How far a goal's next review is from `today`, while it is in the review loop:
    `{{ goal|review_due:today }}`."""
    if today is None or not goal.in_review_loop:
        return None
    return due_in(goal.next_review_on, today)
