"""Pages for signing in and the account's own settings."""

from django.urls import path

from accounts import views_sso, views_tokens, views_two_factor

urlpatterns: list = [
    path("sso/start/", views_sso.SSOStart.as_view(), name="sso-start"),
    path("sso/callback/", views_sso.SSOCallback.as_view(), name="sso-callback"),
    path("settings/tokens/", views_tokens.token_settings, name="token-settings"),
    path("settings/tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token-revoke"),
    path("login/code/", views_two_factor.login_code, name="login-code"),
    path("settings/security/", views_two_factor.security_settings, name="security-settings"),
    path(
        "settings/security/two-factor/", views_two_factor.two_factor_setup, name="two-factor-setup"
    ),
    path(
        "settings/security/recovery-codes/",
        views_two_factor.recovery_codes_new,
        name="two-factor-recovery-codes",
    ),
    path(
        "settings/security/two-factor/off/",
        views_two_factor.two_factor_turn_off,
        name="two-factor-turn-off",
    ),
]
