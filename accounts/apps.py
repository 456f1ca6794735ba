from django.apps import AppConfig

from goalchain.writes import unwatch


class AccountsConfig(AppConfig):
    """Signing in as companies need it: single sign-on, two-factor, personal API tokens."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A token's row is only ever updated to stamp its last use (accounts/tokens.py),
        # once a minute at most; revoking deletes it. Answers kept under the write stamp
        # check the time of the last use themselves.
        unwatch(self.get_model("ApiToken")._meta.db_table, ("UPDATE",))
