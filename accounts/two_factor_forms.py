"""Forms of the two-factor pages: they parse what was typed; accounts.two_factor decides."""

from __future__ import annotations

from typing import Any

from django import forms

from goals.forms.common import PageForm


class CodeForm(PageForm):
    """One code: from the authenticator app, or (`recovery=True`) a recovery code."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=64,
        error_messages={
            "required": "Enter the code from your authenticator app.",
            "max_length": "That is longer than any code: check what you typed.",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, recovery: bool = False, label: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if label:
            field.label = label
        if recovery:
            field.label = "Recovery code"
            field.error_messages["required"] = "Enter one of your recovery codes."
            field.widget.attrs.update({"inputmode": "text", "autocomplete": "off"})
            field.help_text = "One of the codes you kept when you turned on two-factor sign-in."


class PasswordForm(PageForm):
    """The password again, before a change that weakens or replaces the second factor."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
