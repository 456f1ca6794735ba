"""Template context every page shares."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from goals.selectors.notifications import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count: loaded with the user by goals.backends, else counted."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        annotated = getattr(user, "unread_notifications", None)
        return annotated if annotated is not None else unread_count(user)

    return {"unread_notifications": count}
