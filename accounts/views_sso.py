"""The two pages of a single sign-on: the start, which sends the person to the provider, and
the callback the provider sends them back to (mozilla-django-oidc's views)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts.policy import SIGNED_IN_WITH
from accounts.sso import refusal_of
from accounts.sso_provider import ProviderUnavailable, endpoint, provider_name, sso_enabled

LOGGER = logging.getLogger(__name__)


class SSOStart(OIDCAuthenticationRequestView):
    """Send the person to the provider's authorisation endpoint, read from discovery."""

    def __init__(self, **kwargs: Any) -> None:
        # Not mozilla's __init__, which reads the endpoint from a setting: it comes from the
        # discovery document, once a sign-in starts.
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("authorization_endpoint")
        except ProviderUnavailable as error:
            LOGGER.warning("Single sign-on could not start: %s", error)
            return failed(request)
        return super().get(request)


class SSOCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back: signed in, refused with the reason, or told
    that it did not work."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # mozilla's answer to a state this browser did not start (an old tab, a forgery).
            LOGGER.warning("Single sign-on callback refused: %s", error)
            return failed(request)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        # After login(), which may start a new session: two-factor is asked of passwords only.
        self.request.session[SIGNED_IN_WITH] = "sso"
        return response

    def login_failure(self) -> HttpResponse:
        refusal = refusal_of(self.request)
        if refusal is None:
            return failed(self.request)
        context = {"message": refusal.message, "provider_name": provider_name()}
        return render(self.request, "accounts/sso_refused.html", context, status=403)


def failed(request: HttpRequest) -> HttpResponse:
    """The provider is down, said no, or answered something unusable: try again."""
    context = {"provider_name": provider_name()}
    return render(request, "accounts/sso_failed.html", context, status=400)
