"""Agreement: "agreed" is granted, never typed in.

A draft or proposed goal becomes agreed in one of three ways, each leaving a history entry
that says how, with the record of the agreement beside it:

1. a workshop decision (workshops call `goal_agreed_by_decision` when they adopt a proposal);
2. a closed feedback round in which everyone asked answered "support";
3. a recorded agreement reached elsewhere (an offsite, a sprint planning): who agreed and why.
   Leaders record one on any level, team members on sprint goals only.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from goals import access
from goals.access import may_agree_from_round, may_record_agreement
from goals.errors import Conflict, DomainError, Errors, Forbidden
from goals.models import (
    PARENT_LEVELS,
    AgreementWay,
    FeedbackAnswer,
    FeedbackRound,
    Goal,
    GoalAgreement,
    GoalChange,
    Level,
    ProductMembership,
    Status,
    User,
)
from goals.rules.feedback import is_open, round_supported
from goals.services.notifications import agreement_recorded
from goals.services.reviews import first_review
from goals.services.versioning import save_versioned
from goals.services.webhooks import announce_goal

AGREEABLE_STATUSES = (Status.DRAFT, Status.PROPOSED)
REASON_MAX_LENGTH = 2000
MAX_AGREED_BY = 100


def goal_agreed_by_decision(*, actor: User, goal: Goal, workshop_title: str) -> Goal:
    """Agree a goal because a workshop decided so (the workshop has checked its votes)."""
    return _agree(
        actor=actor,
        goal=goal,
        way=AgreementWay.WORKSHOP,
        history=f"Agreed in workshop “{workshop_title}”.",
    )


def goal_agreed_by_feedback(
    *, actor: User, goal: Goal, feedback_round: FeedbackRound, role: access.Role | None = None
) -> Goal:
    """Agree a goal after a closed feedback round on it in which everyone asked supported it.

    `role` is the actor's in the goal's product when the caller knows it already."""
    if not may_agree_from_round(role or access.role_in(actor, goal.product_id)):
        raise Forbidden("Only the product's leaders and team members can mark a goal agreed.")
    if feedback_round.goal_id != goal.pk:
        raise DomainError({"feedback_round": ["That feedback round is about another goal."]})
    requests = list(feedback_round.requests.select_related("person").order_by("id"))
    at = feedback_round.created_at
    newer = goal.feedback_rounds.filter(
        Q(created_at__gt=at) | Q(created_at=at, pk__gt=feedback_round.pk)
    )
    if newer.exists():
        raise Conflict(
            {"feedback_round": ["A newer feedback round on this goal speaks for it now."]}
        )
    if is_open(feedback_round):
        raise Conflict(
            {
                "feedback_round": [
                    "The feedback round is still open: wait for its deadline or close it first."
                ]
            }
        )
    if not round_supported(requests):
        others = [
            f"{r.person.name} ({r.get_answer_display().lower() if r.answer else 'no answer'})"
            for r in requests
            if r.answer != FeedbackAnswer.SUPPORT
        ]
        raise Conflict(
            {
                "feedback_round": [
                    f"Not everyone asked supported it: {', '.join(others)} did not. Talk it "
                    "through, then ask again or agree it in a workshop."
                    if others
                    else "Nobody was asked in this feedback round."
                ]
            }
        )
    return _agree(
        actor=actor,
        goal=goal,
        way=AgreementWay.FEEDBACK_ROUND,
        history="Agreed after feedback round (everyone asked supported).",
        agreed_by=[r.person for r in requests],
        feedback_round=feedback_round,
    )


def goal_agreed_by_record(
    *,
    actor: User,
    goal: Goal,
    agreed_by: Sequence[User],
    reason: str,
    role: access.Role | None = None,
) -> Goal:
    """Record an agreement reached outside the app: who agreed (product members) and why.

    `role` is the actor's in the goal's product when the caller knows it already."""
    if not may_record_agreement(role or access.role_in(actor, goal.product_id), goal.level):
        raise Forbidden(
            "Only the product's leaders record agreements, and team members on sprint goals."
        )
    reason = (reason or "").strip()
    people = list({person.pk: person for person in agreed_by}.values())
    errors = Errors()
    members = set(
        ProductMembership.objects.filter(
            product_id=goal.product_id, user_id__in=[p.pk for p in people]
        ).values_list("user_id", flat=True)
    )
    if not people:
        errors.add("agreed_by", "Choose the people who agreed.")
    elif len(people) > MAX_AGREED_BY:
        errors.add("agreed_by", f"Choose at most {MAX_AGREED_BY} people.")
    for person in people:
        if person.pk not in members:
            errors.add("agreed_by", f"{person.name} is not a member of this product.")
    if not reason:
        errors.add("reason", "Say where and why it was agreed.")
    elif len(reason) > REASON_MAX_LENGTH:
        errors.add("reason", f"Keep the reason to {REASON_MAX_LENGTH:,} characters.")
    errors.raise_if_any()
    names = ", ".join(sorted(person.name for person in people))
    return _agree(
        actor=actor,
        goal=goal,
        way=AgreementWay.RECORD,
        history=f"Recorded an agreement reached elsewhere: agreed by {names} — {reason}",
        agreed_by=people,
        reason=reason,
    )


def _agree(
    *,
    actor: User,
    goal: Goal,
    way: str,
    history: str,
    agreed_by: Sequence[User] = (),
    reason: str = "",
    feedback_round: FeedbackRound | None = None,
) -> Goal:
    """Make a draft or proposed goal agreed, with its first review date, its history entry
    (the status change, saying how) and the record of the agreement."""
    with transaction.atomic():
        current = Goal.objects.select_for_update().select_related("product").get(pk=goal.pk)
        label = Level(current.level).label
        if current.status not in AGREEABLE_STATUSES:
            raise Conflict(
                {
                    "status": [
                        f"{label} “{current.title}” is {current.get_status_display().lower()}: "
                        "only a draft or proposed goal can be agreed."
                    ]
                }
            )
        live_parents = current.parents.exclude(status=Status.DROPPED)
        if current.level != Level.VISION and not live_parents.exists():
            wanted = " or ".join(Level(lv).label.lower() for lv in PARENT_LEVELS[current.level])
            raise DomainError(
                {"parents": [f"Link “{current.title}” to a {wanted} before it is agreed."]}
            )
        old_status, old_review = current.status, current.next_review_on
        current.status = Status.AGREED
        current.agreed_via = way
        first_review(goal=current, previous_status=old_status, previous_review=old_review)
        changes: dict[str, list[str | None]] = {"status": [old_status, Status.AGREED]}
        if current.next_review_on != old_review:
            changes["next_review_on"] = [
                old_review.isoformat() if old_review else None,
                current.next_review_on.isoformat() if current.next_review_on else None,
            ]
        save_versioned(current, ["status", "agreed_via", "next_review_on"])
        change = GoalChange.objects.create(
            goal=current, by=actor, changes=changes, reason=history, via=way
        )
        agreement = GoalAgreement.objects.create(
            goal=current,
            change=change,
            reason=reason,
            recorded_by=actor,
            feedback_round=feedback_round,
        )
        agreement.agreed_by.set(agreed_by)
        if way != AgreementWay.WORKSHOP:  # a workshop announces its decisions itself
            agreement_recorded(agreement=agreement)
        announce_goal(
            event="goal.agreed", goal=current, actor=actor, key=str(change.pk), how=history
        )
    return current
