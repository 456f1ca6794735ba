"""Calendar feeds: a person makes, replaces and stops their own. The secret in the address is
returned once and kept only as a SHA-256 (goals/rules/calendar.py)."""

from __future__ import annotations

from django.utils import timezone

from accounts.tokens import hash_key
from goals.models import CalendarFeed, User
from goals.rules.calendar import new_feed_secret


def calendar_feed_rotate(*, user: User) -> str:
    """A new secret for the person's feed; the address with the old one stops working now."""
    secret = new_feed_secret()
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"key_hash": hash_key(secret), "created_at": timezone.now()}
    )
    return secret


def calendar_feed_stop(*, user: User) -> bool:
    """Delete the person's feed, so its address stops working; False when there was none."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return deleted > 0
