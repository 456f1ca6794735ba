"""Personal API tokens: the secret is shown once and only its SHA-256 is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models

NAME_MAX_LENGTH = 100


class ApiToken(models.Model):
    """A key a person gives a script or tool to act as them through the API.

    Only the hash is stored: whoever reads the database cannot use the tokens. The secrets are
    long random strings, so a plain SHA-256 (found with one indexed lookup) is as safe as a
    slow password hash would be."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    # The secret's first characters, shown in lists so people can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    read_only = models.BooleanField(default=False)
    # The last day the token works; null for a token that does not expire.
    expires_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (accounts/tokens.py), so reads do not each cost a write.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
