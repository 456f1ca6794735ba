"""The "Sign in with <provider>" button of the sign-in page, shown when single sign-on is on."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.sso_provider import provider_name, sso_enabled

register = template.Library()


@register.inclusion_tag("accounts/sso_button.html")
def sso_button(next_url: str = "") -> dict[str, Any]:
    """`next_url`: where to go once signed in (the sign-in page's own `next`)."""
    return {"enabled": sso_enabled(), "provider_name": provider_name(), "next": next_url}
