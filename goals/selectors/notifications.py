"""Reads of notifications and who hears about a goal: the inbox, the unread count, the
watchers of a goal, and the signed links that let an email change its reader's preferences."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse

from goals.models import Goal, Notification, User, Watch

UNSUBSCRIBE_SALT = "goals.notifications.preferences"


def preferences_token(user: User) -> str:
    """A signed token that lets whoever holds the email change its recipient's preference."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_for_token(token: str) -> User | None:
    """The active account a preferences token was made for; None for a forged or stale one."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None


def preference_links(user: User) -> dict[str, str]:
    """The links an email gives its reader: their settings, and one-click unsubscribe."""
    return {
        "preferences_url": settings.SITE_URL + reverse("notification-settings"),
        "unsubscribe_url": settings.SITE_URL
        + reverse("notification-unsubscribe", args=[preferences_token(user)]),
    }


def unsubscribe_headers(user: User) -> dict[str, str]:
    """One-click unsubscribe (RFC 8058): mail clients POST to the link."""
    return {
        "List-Unsubscribe": f"<{preference_links(user)['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def inbox_of(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread (the badge in the header)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def watcher_ids(goal: Goal) -> set[int]:
    """Who follows the goal: those watching, and its owner unless they unwatched it."""
    choices = dict(Watch.objects.filter(goal=goal).values_list("user_id", "watching"))
    watching = {pk for pk, on in choices.items() if on}
    if goal.owner_id and choices.get(goal.owner_id, True):
        watching.add(goal.owner_id)
    return watching


def is_watching(user: User, goal: Goal) -> bool:
    """Whether the user follows the goal: their choice, or being its owner when they made none."""
    choice = Watch.objects.filter(goal=goal, user=user).values_list("watching", flat=True).first()
    return choice if choice is not None else goal.owner_id == user.pk
