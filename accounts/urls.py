"""Pages for signing in and the account's own settings."""

from django.urls import path

from accounts import views_sso, views_tokens
from accounts import views_two_factor as two_factor

urlpatterns: list = [
    path("sso/start/", views_sso.SSOStart.as_view(), name="sso-start"),
    path("sso/callback/", views_sso.SSOCallback.as_view(), name="sso-callback"),
    path("settings/tokens/", views_tokens.token_settings, name="token-settings"),
    path("settings/tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token-revoke"),
    path("login/code/", two_factor.login_code, name="login-code"),
    path("settings/security/", two_factor.security_settings, name="security-settings"),
    path("settings/security/two-factor/", two_factor.two_factor_setup, name="two-factor-setup"),
    path(
        "settings/security/recovery-codes/",
        two_factor.recovery_codes_new,
        name="two-factor-recovery-codes",
    ),
    path(
        "settings/security/two-factor/off/",
        two_factor.two_factor_turn_off,
        name="two-factor-turn-off",
    ),
]
