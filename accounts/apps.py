from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in as companies need it: single sign-on, two-factor, personal API tokens."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
