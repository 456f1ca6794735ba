"""The admin shows API tokens to staff, who may revoke them but never see or make a secret."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import ApiToken

SHOWN = ("user", "name", "prefix", "read_only", "expires_on", "created_at", "last_used_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "read_only", "expires_on", "last_used_at"]
    list_filter = ["read_only"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__email"]
    fields = SHOWN
    readonly_fields = SHOWN

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A token made here would have a secret nobody was shown.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
