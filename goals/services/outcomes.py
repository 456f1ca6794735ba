"""Closing the loop on a goal: a blameless retrospective of a miss, a sprint's verdict.

(Wins are announced by goals/services/reminders.py once a goal is achieved.)
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from goals import access
from goals.access import may_judge
from goals.errors import Conflict, DomainError, Errors, Forbidden
from goals.models import Goal, GoalChange, Level, Retrospective, SprintVerdict, Status, User
from goals.rules.schedule import product_today
from goals.services.goals import goal_update
from goals.services.versioning import VERSION_REQUIRED, check_version, model_update, save_versioned

TEXT_MAX_LENGTH = 5000
RETROSPECTIVE_FIELDS = {
    "what_happened": "What happened? Describe the events, not the people.",
    "what_we_learned": "What did we learn?",
    "what_we_change": "What do we change next time?",
}
VERDICT_STATUSES = (Status.AGREED, Status.ACHIEVED, Status.MISSED)


def retrospective_save(
    *, actor: User, goal: Goal, data: dict[str, str], version: int | None = None
) -> Retrospective:
    """Write (or rewrite) the blameless retrospective of a missed goal; a rewrite sends the
    `version` it was made on."""
    errors = Errors()
    if goal.status != Status.MISSED:
        errors.add("non_field_errors", "A retrospective is kept for a goal closed as missed.")
    texts = {name: (data.get(name) or "").strip() for name in RETROSPECTIVE_FIELDS}
    for name, text in texts.items():
        if not text:
            errors.add(name, RETROSPECTIVE_FIELDS[name])
        elif len(text) > TEXT_MAX_LENGTH:
            errors.add(name, f"Keep it to {TEXT_MAX_LENGTH:,} characters.")
    errors.raise_if_any()
    with transaction.atomic():
        current = Retrospective.objects.select_for_update().filter(goal=goal).first()
        if current is None:
            if version is not None:
                raise Conflict({"version": ["This retrospective was removed; write it again."]})
            try:
                with transaction.atomic():
                    return Retrospective.objects.create(goal=goal, author=actor, **texts)
            except IntegrityError:
                raise Conflict(
                    {"version": ["Someone else wrote this retrospective at the same moment."]}
                ) from None
        if version is None:
            raise DomainError({"version": [VERSION_REQUIRED]})
        check_version(current, version)
        model_update(current, texts)
    return current


def lessons(*, product_id: int, level: str, limit: int = 5) -> list[Retrospective]:
    """The latest retrospectives of missed goals at `level` in the product: offered when the
    next goal at that level is drafted."""
    return list(
        Retrospective.objects.filter(
            goal__product_id=product_id, goal__level=level, goal__status=Status.MISSED
        )
        .select_related("goal")
        .order_by("-updated_at", "-id")[:limit]
    )


def sprint_verdict_set(
    *,
    actor: User,
    goal: Goal,
    verdict: str,
    close: bool = False,
    outcome_note: str = "",
    version: int | None = None,
) -> Goal:
    """Met or not met: given by the sprint goal's owner or a leader, at the sprint's end.

    A judged sprint leaves the review loop (no next review). With `close` the sprint goal is
    closed in the same step, as achieved when met and missed when not, with `outcome_note`,
    by the same rules as any goal's closing; on any error nothing is saved."""
    role = access.role_in(actor, goal.product_id)
    if not may_judge(role, actor, goal):
        raise Forbidden("The sprint goal's owner or a leader gives its verdict.")
    if close and role not in access.EDITORS:
        raise Forbidden("The team and its leaders close sprint goals.")
    errors = Errors()
    if goal.level != Level.SPRINT:
        errors.add("sprint_verdict", "Only sprint goals get a met / not met verdict.")
    elif goal.status not in VERDICT_STATUSES:
        errors.add("sprint_verdict", "Give the verdict of an agreed sprint goal.")
    if verdict not in SprintVerdict.values:
        errors.add("sprint_verdict", f"Choose one of: {', '.join(SprintVerdict.values)}.")
    today = product_today(goal.product)
    if goal.level == Level.SPRINT and goal.ends_on is not None and today < goal.ends_on:
        errors.add(
            "sprint_verdict",
            f"The verdict comes at the sprint's end, on {goal.ends_on:%d %b %Y}.",
        )
    errors.raise_if_any()
    with transaction.atomic():
        current = Goal.objects.select_for_update().get(pk=goal.pk)
        check_version(current, version)
        changes: dict[str, list[str | None]] = {}
        if current.sprint_verdict != verdict:
            changes["sprint_verdict"] = [current.sprint_verdict or None, verdict]
            current.sprint_verdict = verdict
        if current.next_review_on is not None:
            changes["next_review_on"] = [current.next_review_on.isoformat(), None]
            current.next_review_on = None
        if changes:
            save_versioned(current, list(changes))
            GoalChange.objects.create(goal=current, by=actor, changes=changes)
        if close:
            closed = Status.ACHIEVED if verdict == SprintVerdict.MET else Status.MISSED
            current = goal_update(
                actor=actor,
                goal=current,
                data={"status": closed, "outcome_note": outcome_note},
            )
    return current
