"""Organisations that require two-factor sign-in: members who signed in with a password and
have not turned it on are sent to their security settings until they do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts import two_factor
from accounts.policy import SIGNED_IN_WITH


@cache
def _open_paths() -> tuple[str, ...]:
    """Where such a person may still go: to turn two-factor on, or to leave."""
    return (
        reverse("security-settings"),
        reverse("login"),
        reverse("logout"),
        reverse("healthz"),
        settings.STATIC_URL or "/static/",
    )


def unmet_requirement(request: HttpRequest) -> str | None:
    """The organisation whose requirement this request's person has not met, or None.

    Costs no query of its own: goals.backends loads both facts with the signed-in user."""
    if request.path.startswith(_open_paths()) or SESSION_KEY not in request.session:
        return None
    if request.session.get(SIGNED_IN_WITH, "password") != "password":
        return None  # single sign-on: the identity provider decides about second factors
    user: Any = request.user
    if not user.is_authenticated:
        return None
    if hasattr(user, "two_factor_on"):
        on, required_by = user.two_factor_on, user.two_factor_required_by
    else:  # loaded by a backend other than goals.backends
        on, required_by = two_factor.has_two_factor(user), two_factor.required_by(user)
    return None if on else required_by


def _refusal(request: HttpRequest, organization: str) -> HttpResponse:
    message = two_factor.required_message(organization)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    messages.error(request, message)
    url = reverse("security-settings")
    return HttpResponseClientRedirect(url) if request.headers.get("HX-Request") else redirect(url)


class TwoFactorRequiredMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self._acall(request)
        organization = unmet_requirement(request) if _has_session(request) else None
        if organization is not None:
            return _refusal(request, organization)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        # The session and the user load synchronously, into the caches the view reads too.
        organization = (
            await sync_to_async(unmet_requirement)(request) if _has_session(request) else None
        )
        if organization is not None:
            return await sync_to_async(_refusal)(request, organization)
        response: Awaitable[HttpResponse] = self.get_response(request)
        return await response


def _has_session(request: HttpRequest) -> bool:
    """Without a session cookie nobody is signed in: no need to read the session at all."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES
