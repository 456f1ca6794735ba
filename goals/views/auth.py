"""Signing in and out, password resets (Django's views, our templates), invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters

from goals.errors import DomainError
from goals.forms import InvitationAcceptForm, LoginForm, NewPasswordForm, ResetForm
from goals.models import Invitation, User
from goals.services.organizations import invitation_accept as accept
from goals.wording import full_stop

login_view = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout_view = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    form_class=ResetForm,
    subject_template_name="emails/password_reset.subject.txt",
    email_template_name="emails/password_reset.txt",
    html_email_template_name="emails/password_reset.html",
    success_url=reverse_lazy("password_reset_done"),
)
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
    """Join an organisation from an emailed invitation: choose a name and a password."""
    invitation = Invitation.objects.select_related("organization").filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        return render(request, "registration/invitation_used.html", status=404)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = InvitationAcceptForm(request.POST or None)
    if has_account:
        del form.fields["display_name"]
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        try:
            if (
                has_account
                and authenticate(request, email=invitation.email, password=password) is None
            ):
                raise DomainError(
                    {"password": ["You already have an account: enter its password."]}
                )
            user = accept(
                invitation=invitation,
                password=password,
                display_name=form.cleaned_data.get("display_name", ""),
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            login(request, user, backend="goals.backends.UserBackend")
            messages.success(request, full_stop(f"Welcome to {invitation.organization.name}"))
            return redirect("home")
    context = {"form": form, "invitation": invitation, "has_account": has_account}
    return render(request, "registration/invitation_accept.html", context)
