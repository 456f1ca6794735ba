"""Signing in and out, password resets (Django's views, our templates), invitations."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters

from accounts import two_factor
from accounts.password_reset import password_reset_request
from accounts.views_two_factor import ask_for_code, sign_in_with_password
from goals.errors import DomainError
from goals.forms.accounts import InvitationAcceptForm, LoginForm, NewPasswordForm, ResetForm
from goals.models import Invitation, User
from goals.services.invitations import invitation_accept as accept
from goals.services.invitations import invitation_decline, invitation_join
from goals.templatetags.invitations import invitation_offer
from goals.wording import full_stop


class LoginView(auth_views.LoginView):
    """Email and password; then, for someone who uses two-factor, a code on the next page."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if two_factor.has_two_factor(user):
            return ask_for_code(self.request, user, self.get_success_url())
        sign_in_with_password(self.request, user)
        return redirect(self.get_success_url())


login_view = LoginView.as_view()
logout_view = auth_views.LogoutView.as_view()


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The page never looks the account up (accounts/password_reset.py):
    it answers alike whether or not one exists, and differently only past a limit."""
    form = ResetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        refusal = password_reset_request(
            email=form.cleaned_data["email"], client_address=request.META.get("REMOTE_ADDR", "")
        )
        if refusal is None:
            return redirect("password_reset_done")
        form.add_error(None, refusal)
        status = 429
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html",
    form_class=NewPasswordForm,
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)


@sensitive_post_parameters("password")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Answer an emailed invitation. A new email chooses a name and a password here; an email
    with an account answers signed in as itself, so that its password and second factor are
    asked by the sign-in page as always, never by an invitation link."""
    invitation = (
        Invitation.objects.select_related("organization", "product", "invited_by")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.accepted_at or invitation.declined_at:
        return render(
            request, "registration/invitation_used.html", {"invitation": invitation}, status=404
        )
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.email.lower() != invitation.email.lower():
        return _invitation_page(request, invitation, "other_account", status=403)
    if user is not None:
        return _invitation_answer(request, invitation, cast(User, user))
    if User.objects.filter(email__iexact=invitation.email).exists():
        return _invitation_page(request, invitation, "sign_in")
    if invitation.organization.sso_only:
        # No password to choose: signing in through the provider accepts the invitation.
        return _invitation_page(request, invitation, "single_sign_on")
    return _invitation_new_account(request, invitation)


def _invitation_new_account(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept(
                invitation=invitation,
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            login(request, user, backend="goals.backends.UserBackend")
            messages.success(request, full_stop(f"Welcome to {invitation.organization.name}"))
            return redirect("home")
    context = {"form": form, "invitation": invitation}
    return render(request, "registration/invitation_accept.html", context)


def _invitation_answer(request: HttpRequest, invitation: Invitation, user: User) -> HttpResponse:
    """Accept or decline, signed in as the invited email (the page, or a button on home)."""
    if request.method != "POST":
        return _invitation_page(request, invitation, "answer")
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            invitation_join(invitation=invitation, user=user)
        elif answer == "decline":
            invitation_decline(invitation=invitation, user=user)
        else:
            raise DomainError("Choose Accept or Decline.")
    except DomainError as error:
        messages.error(request, error.message)
        return _invitation_page(request, invitation, "answer", status=error.status_code)
    if answer == "decline":
        messages.success(request, f"You declined the invitation to {invitation_offer(invitation)}.")
        return redirect("home")
    joined = invitation.product or invitation.organization
    messages.success(request, full_stop(f"Welcome to {joined.name}"))
    if invitation.product_id is not None:
        return redirect("product-chain", invitation.product_id)
    return redirect("organization", invitation.organization_id)


def _invitation_page(
    request: HttpRequest, invitation: Invitation, state: str, *, status: int = 200
) -> HttpResponse:
    """The invitation as its person sees it: sign in first, the wrong account, or answer."""
    context = {
        "invitation": invitation,
        "state": state,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
    }
    return render(request, "registration/invitation.html", context, status=status)
