"""Notifications: each person is told about an event once, in the inbox and by email as they
prefer (right away, in a daily digest, or not at all)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goalchain.queue import enqueue
from goals.emails import send_templated_email
from goals.errors import DomainError
from goals.models import (
    Digest,
    EmailFrequency,
    GoalAgreement,
    Notification,
    NotificationKind,
    OrganizationMembership,
    User,
)
from goals.selectors.notifications import (
    preference_links,
    unsubscribe_headers,
    watcher_ids,
)
from goals.wording import excerpt_of
from workshops.models import Decision, Participant


def notify(
    *,
    recipients: Iterable[int],
    kind: str,
    event: str,
    actor: User | None,
    product_id: int,
    text: str,
    url: str,
    excerpt: str = "",
    goal_id: int | None = None,
    comment_id: int | None = None,
    emailed: bool = False,
) -> list[Notification]:
    """Notify each recipient of `event` once; run it again and nobody hears twice.

    Call inside the transaction of the change being announced: the notifications commit
    with it, and the emails of those who want them right away are queued after the commit.
    The actor is never told about their own doing. `emailed` marks notifications that an
    email of their own already carries (a workshop invitation), so no other email repeats it.
    """
    ids = sorted({pk for pk in recipients if pk and (actor is None or pk != actor.pk)})
    if not ids:
        return []
    # Only people still in the organisation hear about it.
    ids = list(
        OrganizationMembership.objects.filter(
            organization__products=product_id, user_id__in=ids, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    now = timezone.now()
    rows = {
        f"{event}:{pk}": Notification(
            recipient_id=pk,
            kind=kind,
            key=f"{event}:{pk}",
            actor=actor,
            product_id=product_id,
            goal_id=goal_id,
            comment_id=comment_id,
            text=text[:500],
            excerpt=excerpt_of(excerpt),
            url=url,
            created_at=now,
            emailed_at=now if emailed else None,
        )
        for pk in ids
    }
    sent = set(Notification.objects.filter(key__in=rows).values_list("key", flat=True))
    new = [row for key, row in rows.items() if key not in sent]
    if not new:
        return []
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(new)
    except IntegrityError:
        # Another run announced the same event in between: keep only what it did not.
        new = [
            row
            for row in new
            if not Notification.objects.filter(key=row.key).exists() and _save(row)
        ]
    if not emailed:
        _queue_emails(new)
    return new


def _save(row: Notification) -> bool:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return False
    return True


def _queue_emails(notifications: list[Notification]) -> None:
    right_away = set(
        User.objects.filter(
            pk__in=[n.recipient_id for n in notifications],
            email_notifications=EmailFrequency.IMMEDIATELY,
        ).values_list("pk", flat=True)
    )
    ids = [n.pk for n in notifications if n.recipient_id in right_away]
    if ids:
        for pk in ids:
            enqueue("goals.tasks.send_notification_email", pk)


def email_notification(*, notification_id: int) -> bool:
    """Email one notification to someone who wants them right away; once, and only if unread."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "actor", "product")
            .filter(pk=notification_id, emailed_at__isnull=True, read_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        if recipient.email_notifications != EmailFrequency.IMMEDIATELY or not recipient.is_active:
            return False
        send_templated_email(
            to=recipient.email,
            template="notification",
            context={"notification": notification, **preference_links(recipient)},
            headers=unsubscribe_headers(recipient),
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def digest_recipients() -> list[int]:
    """People on the daily digest with something unread that no email carried yet."""
    return list(
        User.objects.filter(
            email_notifications=EmailFrequency.DAILY,
            is_active=True,
            notifications__emailed_at__isnull=True,
            notifications__read_at__isnull=True,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_digest(*, user_id: int, day: date) -> bool:
    """One digest per person per day, claimed in the transaction that sends it."""
    with transaction.atomic():
        user = User.objects.filter(
            pk=user_id, email_notifications=EmailFrequency.DAILY, is_active=True
        ).first()
        if user is None:
            return False
        notifications = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("actor", "product")
            .filter(recipient=user, emailed_at__isnull=True, read_at__isnull=True)
            .order_by("created_at", "id")
        )
        if not notifications:
            return False
        try:
            with transaction.atomic():
                Digest.objects.create(recipient=user, day=day, notifications=len(notifications))
        except IntegrityError:
            return False  # today's digest already went
        send_templated_email(
            to=user.email,
            template="digest",
            context={"user": user, "notifications": notifications, **preference_links(user)},
            headers=unsubscribe_headers(user),
        )
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            emailed_at=timezone.now()
        )
    return True


def mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (reading it again changes nothing)."""
    if notification.recipient_id != user.pk:
        raise DomainError("That notification is not yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_unread(*, user: User, notification: Notification) -> Notification:
    """Mark one of the user's notifications unread again."""
    if notification.recipient_id != user.pk:
        raise DomainError("That notification is not yours.")
    notification.read_at = None
    notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def set_email_preference(*, user: User, frequency: str) -> User:
    """Right away, a daily digest, or no email: the inbox keeps everything either way."""
    if frequency not in EmailFrequency.values:
        raise DomainError(
            {"email_notifications": [f"Choose one of: {', '.join(EmailFrequency.values)}."]}
        )
    if user.email_notifications != frequency:
        user.email_notifications = frequency
        user.save(update_fields=["email_notifications"])
    return user


def _name(user: User | None) -> str:
    return user.name if user else "Someone"


def workshop_invited(*, actor: User, participant: Participant) -> None:
    """Tell an invited person in the app; the invitation email itself is sent separately."""
    workshop = participant.workshop
    notify(
        recipients=[participant.user_id],
        kind=NotificationKind.WORKSHOP_INVITATION,
        event=f"workshop-invitation:{participant.pk}",
        actor=actor,
        product_id=workshop.product_id,
        text=f"{_name(actor)} invited you to the workshop “{workshop.title}”"
        + (" as a voter" if participant.can_vote else " as an observer"),
        url=reverse("workshop-room", args=[workshop.pk]),
        emailed=True,
    )


def agreement_recorded(*, agreement: GoalAgreement) -> None:
    """Tell the goal's owner, its watchers and everyone named as agreeing that a goal was
    agreed outside a workshop: whoever is said to have agreed hears it and can object."""
    goal = agreement.goal
    people = list(agreement.agreed_by.all())
    recipients = {person.pk for person in people} | watcher_ids(goal)
    if goal.owner_id:
        recipients.add(goal.owner_id)
    if agreement.feedback_round_id:
        text = f"“{goal.title}” was agreed after a feedback round everyone asked supported"
    else:
        names = ", ".join(sorted(person.name for person in people))
        text = f"{_name(agreement.recorded_by)} recorded that {names} agreed “{goal.title}”"
    notify(
        recipients=recipients,
        kind=NotificationKind.DECISION,
        event=f"agreement:{agreement.pk}",
        actor=agreement.recorded_by,
        product_id=goal.product_id,
        goal_id=goal.pk,
        text=text,
        excerpt=agreement.reason,
        url=reverse("goal", args=[goal.pk]),
    )


def decision_made(*, decision: Decision) -> None:
    """Tell the watchers of the goal a workshop decided under, and the proposal's author."""
    workshop, proposal = decision.workshop, decision.proposal
    recipients = {proposal.author_id} if proposal.author_id else set()
    if workshop.parent_goal is not None:
        recipients |= watcher_ids(workshop.parent_goal)
    if decision.passed and decision.goal_id:
        text = f"“{workshop.title}” adopted “{proposal.title}”"
        url = reverse("goal", args=[decision.goal_id])
    else:
        text = f"“{workshop.title}” did not adopt “{proposal.title}”"
        url = reverse("workshop-room", args=[workshop.pk])
    notify(
        recipients=recipients,
        kind=NotificationKind.DECISION,
        event=f"decision:{decision.pk}",
        actor=decision.decided_by,
        product_id=workshop.product_id,
        goal_id=decision.goal_id or workshop.parent_goal_id,
        text=text,
        excerpt=decision.reason,
        url=url,
    )
