"""Shared helpers for the conversation tests (comments, insights, feedback, notifications)."""

from __future__ import annotations

from goals.models import Notification

HTMX = {"HTTP_HX_REQUEST": "true"}


def inbox_of(user) -> list[tuple[str, str]]:
    """(kind, text) of a person's notifications, oldest first."""
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "text")
    )


def kinds_of(user) -> list[str]:
    return [kind for kind, _ in inbox_of(user)]
