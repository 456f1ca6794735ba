"""Secrets Goal Chain must read back (a webhook's signing secret), kept encrypted.

The key comes from SECRET_KEY, so a copy of the database alone does not give them away.
After a change of SECRET_KEY, the old one in SECRET_KEY_FALLBACKS still opens what it sealed.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(secret_key: str | bytes) -> Fernet:
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    digest = hashlib.sha256(b"goalchain.sealed:" + key).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    return MultiFernet(
        [_fernet(key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]
    )


def seal(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    """The secret back; ValueError when no key of this server sealed it."""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError("This secret was sealed with another SECRET_KEY.") from None
