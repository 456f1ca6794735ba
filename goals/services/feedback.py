"""Feedback rounds: a leader asks chosen people for feedback on a draft goal by a deadline.

Answers can change until the end of the deadline day. Reminders go to those who have not
answered two days before and on the deadline's morning; then the round closes and the
leader gets the summary. Every step is safe to run twice: each reminder is a notification
under a unique key, and closing and the summary email are claimed on the round's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goalchain.queue import enqueue
from goals.emails import day_text, send_templated_email
from goals.errors import Conflict, Errors, Forbidden
from goals.models import (
    FeedbackAnswer,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    NotificationKind,
    ProductMembership,
    Status,
    User,
)
from goals.rules.feedback import is_open, reminder_moments, tally
from goals.selectors.notifications import preference_links
from goals.services.notifications import notify
from goals.services.webhooks import announce_goal
from goals.wording import amount

MAX_DAYS_AHEAD = 90
MAX_PEOPLE = 50
COMMENT_MAX_LENGTH = 5000
ANSWERABLE_STATUSES = (Status.DRAFT, Status.PROPOSED)


def feedback_round_open(
    *,
    actor: User,
    goal: Goal,
    people: Sequence[User],
    deadline: date | None,
    question: str = "",
) -> FeedbackRound:
    """Ask chosen members of the product for feedback on a draft goal, by a deadline."""
    errors = Errors()
    today = timezone.localdate()
    question = (question or "").strip()
    if goal.status not in ANSWERABLE_STATUSES:
        errors.add("goal", "Ask for feedback while the goal is a draft or proposed.")
    if deadline is None:
        errors.add("deadline", "Choose the day answers are due.")
    elif deadline < today:
        errors.add("deadline", "Choose today or a later day.")
    elif deadline > today + timedelta(days=MAX_DAYS_AHEAD):
        errors.add("deadline", f"Choose a day within {MAX_DAYS_AHEAD} days.")
    unique = list({person.pk: person for person in people}.values())
    members = set(
        ProductMembership.objects.filter(
            product_id=goal.product_id, user__in=unique, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if not unique:
        errors.add("people", "Choose at least one person to ask.")
    elif len(unique) > MAX_PEOPLE:
        errors.add("people", f"Ask at most {MAX_PEOPLE} people in one round.")
    for person in unique:
        if person.pk == actor.pk:
            errors.add("people", "You are the one asking; choose other people.")
        elif person.pk not in members:
            errors.add("people", f"{person.name} is not a member of this product.")
    if len(question) > COMMENT_MAX_LENGTH:
        errors.add("question", f"Keep the question to {COMMENT_MAX_LENGTH:,} characters.")
    errors.raise_if_any()
    assert deadline is not None
    try:
        with transaction.atomic():
            feedback_round = FeedbackRound.objects.create(
                goal=goal, requested_by=actor, question=question, deadline=deadline
            )
            FeedbackRequest.objects.bulk_create(
                FeedbackRequest(round=feedback_round, person=person) for person in unique
            )
            notify(
                recipients=[person.pk for person in unique],
                kind=NotificationKind.FEEDBACK_REQUEST,
                event=f"feedback-request:{feedback_round.pk}",
                actor=actor,
                product_id=goal.product_id,
                goal_id=goal.pk,
                text=(
                    f"{actor.name} asks for your feedback on “{goal.title}” by {day_text(deadline)}"
                ),
                excerpt=question,
                url=reverse("feedback-round", args=[feedback_round.pk]),
            )
    except IntegrityError:
        raise Conflict(
            {"goal": ["This goal already has an open feedback round; close that one first."]}
        ) from None
    return feedback_round


def feedback_answer(
    *, actor: User, feedback_round: FeedbackRound, answer: str, comment: str = ""
) -> FeedbackRequest:
    """Answer support, concerns or object; the answer can change until the deadline."""
    comment = (comment or "").strip()
    with transaction.atomic():
        current = FeedbackRound.objects.select_for_update().get(pk=feedback_round.pk)
        if not is_open(current):
            raise Conflict(
                {
                    "answer": [
                        f"This round closed after {day_text(current.deadline)}; answers are final."
                    ]
                }
            )
        request = (
            FeedbackRequest.objects.select_for_update().filter(round=current, person=actor).first()
        )
        if request is None:
            raise Forbidden("Only the people asked in this round can answer it.")
        errors = Errors()
        if answer not in FeedbackAnswer.values:
            errors.add("answer", "Answer support, concerns or object.")
        elif answer == FeedbackAnswer.CONCERNS and not comment:
            errors.add("comment", "Say what concerns you, so it can be addressed.")
        elif answer == FeedbackAnswer.OBJECT and not comment:
            errors.add("comment", "Say why you object, so it can be addressed.")
        if len(comment) > COMMENT_MAX_LENGTH:
            errors.add("comment", f"Keep the comment to {COMMENT_MAX_LENGTH:,} characters.")
        errors.raise_if_any()
        request.answer, request.comment, request.answered_at = answer, comment, timezone.now()
        request.save(update_fields=["answer", "comment", "answered_at"])
    return request


def feedback_round_close(*, feedback_round_id: int, actor: User | None = None) -> bool:
    """Close a round (at its deadline, or earlier by a leader) and send the summary, once."""
    with transaction.atomic():
        current = (
            FeedbackRound.objects.select_for_update(of=("self",))
            .select_related("goal", "requested_by")
            .filter(pk=feedback_round_id, closed_at__isnull=True)
            .first()
        )
        if current is None:
            return False
        current.closed_at = timezone.now()
        current.save(update_fields=["closed_at"])
        counts = tally(list(current.requests.all()))
        goal = current.goal
        # Hooks post where every member reads: how people answered is for the leaders,
        # who find it on the round's page.
        announce_goal(
            event="feedback_round.closed", goal=goal, actor=actor, key=str(current.pk),
            feedback_round=lambda: {
                "id": current.pk,
                "url": settings.SITE_URL + reverse("feedback-round", args=[current.pk]),
            },
        )  # fmt: skip
        if current.requested_by_id:
            # The summary email below carries it: no second email for this notification.
            notify(
                recipients=[current.requested_by_id],
                kind=NotificationKind.FEEDBACK_SUMMARY,
                event=f"feedback-summary:{current.pk}",
                actor=None,
                product_id=goal.product_id,
                goal_id=goal.pk,
                text=f"Feedback on “{goal.title}” is in: {_counts_text(counts)}",
                url=reverse("feedback-round", args=[current.pk]),
                emailed=True,
            )
            enqueue("goals.tasks.send_feedback_summary", current.pk)
    return True


def feedback_close_due(*, now: datetime | None = None) -> list[int]:
    """Close every round whose deadline day is over; returns the rounds closed now."""
    today = timezone.localdate(now)
    due = FeedbackRound.objects.filter(closed_at__isnull=True, deadline__lt=today)
    return [
        pk for pk in due.values_list("pk", flat=True) if feedback_round_close(feedback_round_id=pk)
    ]


def feedback_summaries_unsent() -> list[int]:
    """Closed rounds whose summary email has not gone yet (say, a worker died): sent again."""
    return list(
        FeedbackRound.objects.filter(
            closed_at__isnull=False, summary_sent_at__isnull=True, requested_by__isnull=False
        ).values_list("pk", flat=True)
    )


def email_feedback_summary(*, feedback_round_id: int) -> bool:
    """Email the leader the closed round's summary; claimed on the round, so sent once."""
    with transaction.atomic():
        current = (
            FeedbackRound.objects.select_for_update(of=("self",))
            .select_related("goal__product", "requested_by")
            .filter(
                pk=feedback_round_id,
                closed_at__isnull=False,
                summary_sent_at__isnull=True,
                requested_by__isnull=False,
            )
            .first()
        )
        if current is None:
            return False
        leader = current.requested_by
        assert leader is not None
        requests = list(current.requests.select_related("person").order_by("person__email"))
        send_templated_email(
            to=leader.email,
            template="feedback_summary",
            context={
                "feedback_round": current,
                "goal": current.goal,
                "leader": leader,
                "answered": [r for r in requests if r.answer],
                "not_answered": [r for r in requests if not r.answer],
                "counts": tally(requests),
                "path": reverse("feedback-round", args=[current.pk]),
                **preference_links(leader),
            },
        )
        current.summary_sent_at = timezone.now()
        current.save(update_fields=["summary_sent_at"])
    return True


def feedback_remind_due(*, now: datetime | None = None) -> int:
    """Send the reminders that are due; returns how many people were reminded now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rounds = FeedbackRound.objects.filter(
        closed_at__isnull=True, deadline__gte=today, deadline__lte=today + timedelta(days=2)
    ).values_list("pk", flat=True)
    return sum(_remind(feedback_round_id=pk, now=now) for pk in rounds)


def _remind(*, feedback_round_id: int, now: datetime) -> int:
    with transaction.atomic():
        current = (
            FeedbackRound.objects.select_for_update(of=("self",))
            .select_related("goal", "requested_by")
            .filter(pk=feedback_round_id, closed_at__isnull=True)
            .first()
        )
        if current is None or not is_open(current, now):
            return 0
        moments = reminder_moments(current)
        due = [
            which
            for which, moment in moments.items()
            # A round opened after the moment has just been asked: no reminder for it.
            if current.created_at < moment <= now
        ]
        # Missed the two-day reminder (no job ran then)? The deadline's one replaces it.
        if "deadline-day" in due:
            due = ["deadline-day"]
        waiting = list(current.requests.filter(answer="").values_list("person_id", flat=True))
        goal = current.goal
        reminded = 0
        for which in due:
            reminded += len(
                notify(
                    recipients=waiting,
                    kind=NotificationKind.FEEDBACK_REMINDER,
                    event=f"feedback-reminder:{current.pk}:{which}",
                    actor=current.requested_by,
                    product_id=goal.product_id,
                    goal_id=goal.pk,
                    text=(
                        f"Reminder: your feedback on “{goal.title}” is due "
                        + (
                            "today"
                            if which == "deadline-day"
                            else f"by {day_text(current.deadline)}"
                        )
                    ),
                    excerpt=current.question,
                    url=reverse("feedback-round", args=[current.pk]),
                )
            )
    return reminded


def _counts_text(counts: dict[str, int]) -> str:
    return (
        f"{amount(counts['support'])} support, {amount(counts['concerns'])} with concerns, "
        f"{amount(counts['object'])} object, {amount(counts['no_answer'])} did not answer"
    )
