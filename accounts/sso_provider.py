"""The OpenID Connect provider configured on this server: whether single sign-on is on, the
name people know it by, and its endpoints, read from its discovery document.

Apart from the backend (accounts/sso.py) so that organisation settings can ask whether single
sign-on is on without importing the sign-in machinery, which imports theirs."""

from __future__ import annotations

import hashlib
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

# The discovery document changes rarely (keys rotate at the JWKS address, read per sign-in).
DISCOVERY_CACHE_SECONDS = 60 * 60
# A provider that does not answer this fast is down for our purposes: the page says so.
DISCOVERY_TIMEOUT_SECONDS = 5
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The discovery document could not be read, or is not the configured issuer's."""


def sso_enabled() -> bool:
    """Single sign-on is on when the server names an issuer and its client id."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def provider_name() -> str:
    """What the sign-in button calls the provider: "Sign in with <name>"."""
    return str(settings.OIDC_PROVIDER_NAME)


def endpoint(name: str) -> str:
    """One of the provider's endpoints (see ENDPOINTS) from its discovery document."""
    return str(_discovery()[name])


def discovery_cache_key(issuer: str) -> str:
    """Where the issuer's endpoints are cached (the cache may be shared by many servers)."""
    return "oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()


def _discovery() -> dict[str, Any]:
    issuer = settings.OIDC_ISSUER
    key = discovery_cache_key(issuer)
    document = cache.get(key)
    if document is None:
        document = _fetch(issuer)
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def _fetch(issuer: str) -> dict[str, Any]:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=DISCOVERY_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url} is not a JSON object")
    # OpenID Connect Discovery 1.0, section 4.3: a document for another issuer is not used.
    if document.get("issuer") != issuer:
        raise ProviderUnavailable(
            f"{url} names the issuer {document.get('issuer')!r}, not {issuer!r}"
        )
    missing = [name for name in ENDPOINTS if not isinstance(document.get(name), str)]
    if missing:
        raise ProviderUnavailable(f"{url} has no {', '.join(missing)}")
    return {name: document[name] for name in ENDPOINTS}
