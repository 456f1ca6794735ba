"""Single sign-on: the OpenID Connect code flow of mozilla-django-oidc, with the provider's
endpoints from its discovery document, and Goal Chain's rules for whom it lets in.

The provider vouches for an email. An account with that email signs in; a new email gets an
account only when an organisation invited it or takes in everyone at its email domain.
Anyone else is refused with a reason the sign-in page shows (`Refused`)."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.sso_provider import ProviderUnavailable, endpoint, provider_name, sso_enabled
from goals.backends import UserBackend
from goals.errors import DomainError
from goals.models import Invitation, Organization, OrganizationMembership, OrgRole, User
from goals.services.invitations import invitation_join

LOGGER = logging.getLogger(__name__)

# What a provider that is down, misconfigured or answering nonsense makes the code flow raise:
# each is a sign-in that did not work, never an error page.
PROVIDER_ERRORS = (
    requests.RequestException,
    SuspiciousOperation,
    ProviderUnavailable,
    jwt.PyJWTError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
)
# Where the backend leaves the refusal for the callback view (which calls authenticate()).
_REFUSAL = "goalchain_sso_refusal"
DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length or 150


class Refused(Exception):
    """The provider vouched for the person, but Goal Chain does not let them in: the message
    says why and what to do, in words for the person."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def refusal_of(request: HttpRequest) -> Refused | None:
    """Why the single sign-on of this request was refused, if it was."""
    return getattr(request, _REFUSAL, None)


def is_sso_callback(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """For django-axes (AXES_WHITELIST_CALLABLE): its lockout counts password guesses, and a
    single sign-on has none; a refused one must not lock out the next person at the address."""
    return request.path == reverse("sso-callback")


class SSOBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with the endpoints read from the issuer's discovery
    document when a sign-in needs them, the ID token's issuer and audience checked, and the
    signed-in user loaded as goals.backends.UserBackend loads them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not mozilla's __init__: it reads fixed endpoint settings (refusing RS256 without a
        # JWKS address), and Django makes every backend on every sign-in, password ones too.
        self.UserModel = User
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return endpoint("token_endpoint")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return endpoint("userinfo_endpoint")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return endpoint("jwks_uri")

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """Only the callback's sign-in (it passes the nonce): a password's is not ours."""
        if request is None or "nonce" not in kwargs or not sso_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refusal:
            setattr(request, _REFUSAL, refusal)
        except PROVIDER_ERRORS as error:
            LOGGER.warning("Single sign-on did not work: %r", error)
        return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """mozilla checks the signature and nonce; an ID token must also be the configured
        issuer's, for this client (OpenID Connect Core 1.0, section 3.1.3.7)."""
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if payload.get("iss") != settings.OIDC_ISSUER:
                raise SuspiciousOperation("The ID token is another issuer's.")
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token is for another client.")
        return payload

    def verify_claims(self, claims: Any) -> bool:
        """An email the provider has not said is unverified, at an allowed domain."""
        email = _email_of(claims)
        if claims.get("email_verified") in (False, "false"):
            raise Refused(
                f"{capfirst(provider_name())} has not confirmed that {email} is yours. "
                "Confirm it there, then sign in again."
            )
        allowed = settings.OIDC_ALLOWED_DOMAINS
        if allowed and _domain(email) not in allowed:
            raise Refused(
                f"Goal Chain takes sign-ins through {provider_name()} only for addresses at "
                f"{' or '.join(allowed)}, and {email} is not one. "
                "Sign in with one of those, or ask your admin."
            )
        return True

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """An existing account signs in as it is, if it is still active."""
        if not user.is_active:
            raise Refused(
                f"The Goal Chain account of {user.email} is switched off. "
                "Ask your admin to switch it back on."
            )
        return user

    def create_user(self, claims: dict[str, Any]) -> User:
        """A new email: an account only if it joins an organisation, named as the provider
        names the person."""
        name = claims.get("name")
        display_name = name.strip()[:DISPLAY_NAME_MAX_LENGTH] if isinstance(name, str) else ""
        return sso_account_create(email=_email_of(claims), display_name=display_name)

    def get_user(self, user_id: Any) -> User | None:
        """As UserBackend: the page header's unread count is read with the user."""
        return UserBackend().get_user(user_id)


def sso_account_create(*, email: str, display_name: str) -> User:
    """The account of an email's first single sign-on, made only if the email joins an
    organisation: one that invited it (every pending invitation is accepted, organisations'
    before products', which need the membership) or one that takes in its email domain."""
    invitations = list(Invitation.objects.pending().filter(email__iexact=email).order_by("pk"))
    by_domain = list(Organization.objects.filter(email_domain=_domain(email)))
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, display_name=display_name)
            joined = [_join(i, user) for i in invitations if i.product_id is None]
            joined += [_join_by_domain(organization, user) for organization in by_domain]
            joined += [_join(i, user) for i in invitations if i.product_id is not None]
            if not any(joined):
                raise Refused(
                    f"No organisation on Goal Chain has invited {email} yet. "
                    "Ask your admin for an invitation, then sign in again."
                )
    except IntegrityError:
        # A second tab signed the same person in at the same moment and made the account.
        return User.objects.get(email__iexact=email)
    return user


def _join(invitation: Invitation, user: User) -> bool:
    """Accept one invitation; one withdrawn meanwhile, or a product invitation whose
    organisation the person no longer belongs to, is left as it is."""
    try:
        invitation_join(invitation=invitation, user=user)
    except DomainError as error:
        LOGGER.info("Invitation %s not joined at single sign-on: %s", invitation.pk, error)
        return False
    return True


def _join_by_domain(organization: Organization, user: User) -> bool:
    """Join as a member; an invitation to the same organisation, accepted first, gave its role."""
    OrganizationMembership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": OrgRole.MEMBER}
    )
    return True


def _email_of(claims: Any) -> str:
    """The email the provider vouches for, as accounts keep it (lower case); without one
    Goal Chain cannot tell who signs in."""
    email = claims.get("email") if isinstance(claims, dict) else None
    if isinstance(email, str):
        email = User.objects.normalize_email(email.strip()).lower()
        try:
            validate_email(email)
        except ValidationError:
            pass
        else:
            return email
    raise Refused(
        f"{capfirst(provider_name())} did not tell Goal Chain your email address. "
        "Ask your admin to let Goal Chain read it, then sign in again."
    )


def _domain(email: str) -> str:
    """The part after "@", as organisations and OIDC_ALLOWED_DOMAINS write domains."""
    return email.rpartition("@")[2]
