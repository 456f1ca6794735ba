"""Two-factor sign-in for password accounts: an authenticator app (TOTP) and recovery codes.

django-otp keeps the devices: one TOTPDevice (the app, unconfirmed until a first code proves
it was set up) and one StaticDevice holding single-use recovery codes. Both throttle wrong
codes (1, 2, 4, 8… seconds before the next try), so guessing six digits takes years.
"""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.limits import count_of, counted_over
from goals.errors import DomainError
from goals.models import Organization, User
from goals.wording import counted

RECOVERY_CODES = 10
_RECOVERY_CODE_SALT = "accounts.two_factor.recovery-code"
# The longest thing worth comparing: a recovery code is 8 characters, an app's code 6 digits.
_LONGEST_CODE = 16

API_CODE_MESSAGE = "Enter the 6-digit code from your authenticator app, or a recovery code."
WRONG_CODE = "That code is not right. Check your authenticator app and try again."
WRONG_PASSWORD = "That is not your password."
WRONG_PASSWORDS_ALLOWED = 5
TOO_MANY_WRONG_PASSWORDS = (
    "Five wrong passwords in the last hour: wait an hour, or sign out and choose a new "
    "password from the sign-in page."
)


def has_two_factor(user: User) -> bool:
    """Whether sign-in asks this person for a code: they confirmed an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requiring_organizations(user: Any) -> QuerySet[Organization]:
    """The person's organisations that require two-factor sign-in, first by name. `user` may
    be an OuterRef, so goals.backends can read this with the signed-in user."""
    return Organization.objects.filter(memberships__user=user, require_two_factor=True).order_by(
        "name"
    )


def required_by(user: User) -> str | None:
    """The name of an organisation of this person that requires two-factor, or None."""
    return requiring_organizations(user).values_list("name", flat=True).first()


def required_message(organization: str) -> str:
    return f"{organization} asks its members to use two-factor sign-in. Turn it on to continue."


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def start_setup(*, user: User) -> TOTPDevice:
    """The authenticator app to set up: a new secret, or the one shown before and not yet
    confirmed (so reloading the page keeps the QR code already scanned)."""
    if not user.has_usable_password():
        raise DomainError("You sign in with single sign-on: your identity provider asks for codes.")
    if has_two_factor(user):
        raise DomainError("Two-factor sign-in is already on.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_setup(*, user: User, code: str) -> list[str]:
    """Turn two-factor on with a first code from the app; returns the recovery codes,
    which are shown this once."""
    token = _clean(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            refusal: str | None = "Start again: open Turn on two-factor sign-in once more."
        else:
            refusal = _refusal(device, token)
        if refusal is None:
            assert device is not None
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _issue_recovery_codes(user)
    if refusal is not None:
        raise DomainError({"code": [refusal]})
    return codes


def new_recovery_codes(*, user: User, password: str) -> list[str]:
    """Replace the recovery codes (the old ones stop working); asks the password again."""
    if not has_two_factor(user):
        raise DomainError("Two-factor sign-in is off: there are no recovery codes to replace.")
    _check_password(user, password)
    with transaction.atomic():
        return _issue_recovery_codes(user)


def turn_off(*, user: User, password: str) -> None:
    """Sign-in asks for a password alone again, unless an organisation requires two-factor."""
    organization = required_by(user)
    if organization is not None:
        raise DomainError(
            f"{organization} asks its members to use two-factor sign-in, so it stays on."
        )
    _check_password(user, password)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def check_code(*, user: User, code: str) -> None:
    """Accept a code from the app or an unused recovery code (used up here), or raise a
    DomainError on `code` saying why not: wrong, or too soon after wrong ones."""
    token = _clean(code)
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    )
    if model is StaticDevice:
        token = _stored_form(token)
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        refusal = WRONG_CODE if device is None else _refusal(device, token)
    # Raised after the transaction: the failure count django-otp saved must stay.
    if refusal is not None:
        raise DomainError({"code": [refusal]})


def verify_code(user: User, code: str) -> bool:
    """Whether the code is right (see check_code), for callers with a message of their own."""
    try:
        check_code(user=user, code=code)
    except DomainError:
        return False
    return True


def check_for_token(*, user: User, code: str) -> None:
    """Trading a password for an API token asks what the sign-in page asks: a code of someone
    who uses two-factor; someone whose organisation requires it turns it on first."""
    if has_two_factor(user):
        if not verify_code(user, code):
            raise DomainError({"code": [API_CODE_MESSAGE]})
        return
    organization = required_by(user)
    if organization is not None:
        raise DomainError(
            f"{organization} asks its members to use two-factor sign-in. Turn it on in your "
            "security settings first, then ask for a token with a code from your app."
        )


def _clean(code: str) -> str:
    """What was typed, without the spaces and dashes people and apps put in codes."""
    token = "".join(str(code).split()).replace("-", "").lower()
    return token if len(token) <= _LONGEST_CODE else ""


def _refusal(device: Device, token: str) -> str | None:
    allowed, why = device.verify_is_allowed()
    if not allowed:
        seconds = math.ceil((why["locked_until"] - timezone.now()).total_seconds())
        wait = counted(max(seconds, 1), "second")
        return f"Too many wrong codes in a row: wait {wait} and try again."
    return None if token and device.verify_token(token) else WRONG_CODE


def _check_password(user: User, password: str) -> None:
    """The password asked again before changing how this person signs in. Wrong ones are
    counted: someone at an unattended browser cannot guess their way to turning it off."""
    key = f"two-factor:wrong-password:{user.pk}"
    if count_of(key) >= WRONG_PASSWORDS_ALLOWED:
        raise DomainError({"password": [TOO_MANY_WRONG_PASSWORDS]})
    if not user.check_password(password):
        counted_over(key, WRONG_PASSWORDS_ALLOWED)
        raise DomainError({"password": [WRONG_PASSWORD]})


def _issue_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    device.throttle_reset()
    tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=_stored_form(t)) for t in tokens
    )
    return [f"{token[:4]}-{token[4:]}" for token in tokens]


def _stored_form(code: str) -> str:
    """What the database keeps of a recovery code: a keyed hash, so that a copy of the
    database alone does not give them away (django-otp compares what is stored with what it
    is handed, in its 16 characters)."""
    digest = salted_hmac(_RECOVERY_CODE_SALT, code, algorithm="sha256").hexdigest()
    return digest[:16]
