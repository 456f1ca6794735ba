"""The form that creates an API token on the settings page (its rules are in accounts/tokens)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms

from accounts import tokens
from goals.forms.common import DateInWindowField, PageForm

READ_WRITE = "read-write"
READ_ONLY = "read-only"


class TokenForm(PageForm):
    name = forms.CharField(
        label="Name",
        max_length=tokens.NAME_MAX_LENGTH,
        help_text="What will use it, e.g. “Nightly export”.",
        error_messages={"required": tokens.NAME_MISSING, "max_length": tokens.NAME_TOO_LONG},
    )
    access = forms.ChoiceField(
        label="Access",
        choices=[(READ_WRITE, "Read and write"), (READ_ONLY, "Read only")],
        initial=READ_WRITE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the token may do."},
    )
    expires_on = DateInWindowField(
        label="Expires on",
        required=False,
        help_text="The last day it works. Leave empty for a token that does not expire.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The date picker offers only the days a token may expire on: after today.
        tomorrow = tokens.server_today() + timedelta(days=1)
        self.fields["expires_on"].widget.attrs["min"] = tomorrow.isoformat()
