"""Sign-in page forms: signing in with a password, asking for a reset link, choosing a new
password, and accepting an invitation. They only parse; the account rules live in accounts/.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError

from accounts.policy import password_sign_in_refusal
from goals.forms.common import PAGE_RENDERER, PageForm


class _AuthPage:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("renderer", PAGE_RENDERER)
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]


class LoginForm(_AuthPage, AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})

    def confirm_login_allowed(self, user: Any) -> None:
        """Members of an organisation that signs in through SSO only may not use a password."""
        super().confirm_login_allowed(user)
        refusal = password_sign_in_refusal(user)
        if refusal is not None:
            raise ValidationError(refusal, code="single_sign_on_only")


class ResetForm(_AuthPage, forms.Form):
    """Only the address typed: the page never looks the account up (accounts/password_reset.py
    explains why), so this is not Django's PasswordResetForm, which does."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class NewPasswordForm(_AuthPage, SetPasswordForm):
    pass


class InvitationAcceptForm(PageForm):
    display_name = forms.CharField(
        label="Your name", required=False, max_length=150, help_text="How colleagues see you."
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
