"""Pages of two-factor sign-in: the code step of signing in, and the security settings where
a person turns it on or off and gets new recovery codes."""

from __future__ import annotations

from base64 import b64encode
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import load_backend, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import two_factor
from accounts.policy import SIGNED_IN_WITH
from accounts.two_factor_forms import CodeForm, PasswordForm
from goals.errors import DomainError
from goals.models import User
from goals.views.common import AuthedRequest, page

# A sign-in whose password was right and whose code is still to come.
PENDING = "goalchain_pending_sign_in"
PENDING_FOR = timedelta(minutes=5)
MAX_WRONG_CODES = 5


def ask_for_code(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right and the person uses two-factor: not signed in yet, but
    remembered for a few minutes while the next page asks for a code."""
    request.session[PENDING] = {
        "user": user.pk,
        "backend": user.backend,  # type: ignore[attr-defined]  # set by authenticate()
        "next": next_url,
        "started": timezone.now().timestamp(),
        "wrong": 0,
    }
    return redirect("login-code")


def sign_in_with_password(request: HttpRequest, user: User, backend: str | None = None) -> None:
    login(request, user, backend=backend)
    request.session[SIGNED_IN_WITH] = "password"


@never_cache
@sensitive_post_parameters("code")
def login_code(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("login")
    recovery = (request.POST or request.GET).get("recovery") == "1"
    form = CodeForm(request.POST or None, recovery=recovery)
    if request.method == "POST" and form.is_valid():
        user = load_backend(pending["backend"]).get_user(pending["user"])
        try:
            if user is None:
                raise DomainError("This account cannot sign in.")
            two_factor.check_code(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            if _count_wrong_code(request, pending):
                return _start_again(request, "That was the fifth wrong code")
            form.show_errors(error)
        else:
            del request.session[PENDING]
            sign_in_with_password(request, user, pending["backend"])
            return redirect(pending["next"])
    context = {"form": form, "recovery": recovery}
    status = 400 if form.is_bound else 200
    return render(request, "accounts/two_factor_login.html", context, status=status)


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if pending is None:
        return None
    if timezone.now().timestamp() - pending["started"] > PENDING_FOR.total_seconds():
        _start_again(request, "Five minutes passed without a code")
        return None
    return dict(pending)


def _count_wrong_code(request: HttpRequest, pending: dict[str, Any]) -> bool:
    """Whether this wrong code ends the sign-in."""
    pending["wrong"] += 1
    request.session[PENDING] = pending
    return bool(pending["wrong"] >= MAX_WRONG_CODES)


def _start_again(request: HttpRequest, why: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.error(request, f"{why}: sign in again with your email and password.")
    return redirect("login")


@page
def security_settings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    on = two_factor.has_two_factor(user)
    context = {
        "two_factor_on": on,
        "codes_left": two_factor.recovery_codes_left(user) if on else 0,
        "required_by": two_factor.required_by(user),
        "password_account": user.has_usable_password(),
    }
    return render(request, "accounts/two_factor.html", context)


@page
@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    """Scan or type the secret, then prove it with a first code; the recovery codes follow."""
    try:
        device = two_factor.start_setup(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("security-settings")
    form = CodeForm(request.POST or None, label="Code")
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_setup(user=request.user, code=form.cleaned_data["code"])
        except DomainError as error:
            form.show_errors(error)
        else:
            return _show_codes(request, codes, "Two-factor sign-in is on")
    context = {
        "form": form,
        "qr_code": _qr_code(device.config_url),
        "secret": two_factor.secret_for_typing(device),
    }
    status = 400 if form.is_bound else 200
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@page
@never_cache
@sensitive_post_parameters("password")
def recovery_codes_new(request: AuthedRequest) -> HttpResponse:
    if not two_factor.has_two_factor(request.user):
        return redirect("security-settings")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.new_recovery_codes(
                user=request.user, password=form.cleaned_data["password"]
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            return _show_codes(request, codes, "Your new recovery codes")
    context = {
        "form": form,
        "title": "New recovery codes",
        "lead": "Your old recovery codes stop working once the new ones are made.",
        "button": "Make new recovery codes",
    }
    return _password_page(request, context)


@page
@sensitive_post_parameters("password")
def two_factor_turn_off(request: AuthedRequest) -> HttpResponse:
    if not two_factor.has_two_factor(request.user):
        return redirect("security-settings")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.turn_off(user=request.user, password=form.cleaned_data["password"])
        except DomainError as error:
            form.show_errors(error)
        else:
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("security-settings")
    context = {
        "form": form,
        "title": "Turn off two-factor sign-in",
        "lead": "Signing in will ask for your password alone, and your recovery codes stop "
        "working.",
        "button": "Turn off two-factor sign-in",
        "danger": True,
    }
    return _password_page(request, context)


def _password_page(request: AuthedRequest, context: dict[str, Any]) -> HttpResponse:
    status = 400 if context["form"].is_bound else 200
    return render(request, "accounts/two_factor_password.html", context, status=status)


def _show_codes(request: AuthedRequest, codes: list[str], title: str) -> HttpResponse:
    """Shown this once, in the answer to the form: nothing stores them to show again."""
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "title": title})


def _qr_code(url: str) -> str:
    """The otpauth:// link as a QR code, an SVG image in a data: URL (the CSP allows those
    and no inline styles)."""
    # Imported here: a web process that sets up no two-factor sign-in is spared its megabytes.
    import qrcode
    from qrcode.image.svg import SvgPathFillImage

    svg = qrcode.make(url, image_factory=SvgPathFillImage).to_string()
    return f"data:image/svg+xml;base64,{b64encode(svg).decode()}"
