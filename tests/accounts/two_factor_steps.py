"""Steps the two-factor tests share: real TOTP codes, computed as an authenticator app would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from goals.models import User

# A moment in the middle of a 30-second step, so that shifting by seconds stays predictable.
START = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def code_for(device: TOTPDevice) -> str:
    """The code the app shows now (time_machine moves "now")."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def turn_on(user: User) -> tuple[TOTPDevice, list[str]]:
    """Two-factor on, as the settings page does it: the device and the recovery codes."""
    device = two_factor.start_setup(user=user)
    codes = two_factor.confirm_setup(user=user, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def next_step(time_machine: Any) -> None:
    """On to the app's next code: a code is accepted once, so each sign-in needs a new one."""
    time_machine.shift(30)
