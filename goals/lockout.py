"""Login throttling with django-axes: who is signing in, and what a locked-out client sees."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email tried: the sign-in page sends it as `username`, the API as `email`."""
    credentials = credentials or {}
    email = credentials.get("email") or credentials.get("username") or ""
    return str(email).strip().lower()


def response(request: HttpRequest, *args: Any) -> HttpResponse:
    # axes also passes the refused response and the credentials (in different places
    # under WSGI and ASGI); the page or message depends on neither.
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-ins. Wait {minutes} minutes before trying again, "
        "or choose a new password."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
