"""`Authorization: Token <key>` for the API, with personal tokens (accounts/models.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from accounts import tokens
from accounts.models import ApiToken
from goals.models import User
from goals.services.metrics import METRIC_ONLY_MESSAGE, METRIC_SECRET_START

KEYWORD = "Token"


class ApiTokenAuthentication(BaseAuthentication):
    """Signs the request in as the token's person; `request.auth` is the ApiToken. A metric
    token signs nobody in: it is refused with a 401 that says what it is for.

    A read-only token is refused here, on any method that writes, rather than in each view's
    permissions: no view can then forget the check (or skip it with AllowAny)."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None
        if len(words) != 2:
            raise AuthenticationFailed("Give the token after the word Token, with no spaces.")
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(tokens.UNKNOWN_MESSAGE) from None
        if key.startswith(METRIC_SECRET_START):
            # Only POST /api/key-results/{id}/values/ takes these (goals/api/metrics.py).
            raise AuthenticationFailed(METRIC_ONLY_MESSAGE)
        token = tokens.find(key)
        if token is None:
            raise AuthenticationFailed(tokens.UNKNOWN_MESSAGE)
        refusal = tokens.refusal(token)
        if refusal is not None:
            raise AuthenticationFailed(refusal)
        if token.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied(tokens.READ_ONLY_MESSAGE)
        tokens.record_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        """Makes a missing or refused token a 401 (with this challenge), not a 403."""
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the header in /api/schema/ (drf-spectacular finds this class by import)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )
        scheme["description"] = (
            "A personal API token: `Authorization: Token <key>`. Create one on the API tokens "
            "settings page, with POST /api/tokens/, or with POST /api/auth/token/."
        )
        return scheme
