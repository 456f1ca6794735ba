"""Which statuses a goal may be given by hand, and why not the others."""

from __future__ import annotations

from goals.errors import Errors
from goals.models import CLOSED_STATUSES, Goal, Status

# Said wherever someone tries to type "agreed" in (goals/services/agreement.py grants it).
WAYS_TO_AGREE = (
    "A goal cannot be set to agreed by hand. It becomes agreed by a workshop decision, "
    "after a closed feedback round in which everyone asked supports it, or by recording an "
    "agreement reached elsewhere (who agreed and why)."
)


def check_status_change(old: str, goal: Goal, errors: Errors) -> None:
    """Add to `errors` why a goal that was `old` may not be given its status by hand."""
    new = goal.status
    if new == Status.AGREED:
        errors.add("status", WAYS_TO_AGREE)
    elif new in (Status.ACHIEVED, Status.MISSED) and old != Status.AGREED:
        errors.add("status", "Only an agreed goal can be closed as achieved or missed.")
    elif old in CLOSED_STATUSES and new not in (Status.DRAFT, *CLOSED_STATUSES):
        # Reopened goals are agreed again the way any draft is, not by being typed back in.
        errors.add("status", "Reopen a closed goal as a draft, then agree on it again.")


def status_choices(current: str) -> list[str]:
    """The statuses a goal now `current` can be given by hand, its own included: never
    "agreed" (unless it is already); achieved and missed only from agreed; a closed goal
    reopens as a draft."""
    allowed = []
    for status in Status.values:
        errors = Errors()
        if status != current:
            check_status_change(current, Goal(status=status), errors)
        if not errors.by_field:
            allowed.append(status)
    return allowed
