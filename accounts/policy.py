"""Who may sign in how: the organisation settings that limit password sign-in."""

from __future__ import annotations

from goals.models import Organization, User


def password_sign_in_refusal(user: User) -> str | None:
    """Why this person may not sign in with a password (nor reset it, nor trade it for an
    API token), or None when they may: one of their organisations signs in through SSO only."""
    organization = (
        Organization.objects.filter(memberships__user=user, sso_only=True)
        .order_by("name")
        .only("name")
        .first()
    )
    if organization is None:
        return None
    return f"{organization.name} signs in with single sign-on only: use the single sign-on button."


# How the person of a session signed in: "password" or "sso" (sessions from before this key
# existed count as "password"). Two-factor is asked of password sign-ins only.
SIGNED_IN_WITH = "goalchain_signed_in_with"
