"""The API tokens settings page: list, create (the secret shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import tokens
from accounts.forms_tokens import READ_ONLY, TokenForm
from goals.errors import DomainError
from goals.views.common import AuthedRequest, page

# The secret of the token just created, kept in the session from the form's redirect to the
# next page only: the redirect spares a reload from making another token, and the page that
# shows the secret takes it out of the session, so it is shown once.
NEW_SECRET = "accounts_new_api_token"


@page
def token_settings(request: AuthedRequest) -> HttpResponse:
    """The person's tokens and the form for a new one; after creating, its secret, once."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["access"] == READ_ONLY,
                expires_on=form.cleaned_data["expires_on"],
            )
        except DomainError as error:
            form.show_errors(error)
        else:
            request.session[NEW_SECRET] = secret
            messages.success(request, f"Created the token “{token.name}”.")
            return redirect("token-settings")
    context = {
        "form": form,
        "secret": request.session.pop(NEW_SECRET, None) if not form.is_bound else None,
        "tokens": tokens.tokens_of(request.user),
        "today": tokens.server_today(),
    }
    return render(request, "accounts/tokens.html", context, status=400 if form.is_bound else 200)


@page
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = tokens.token_revoke(user=request.user, token_id=pk)
    messages.success(
        request, f"Revoked the token “{token.name}”: nothing can sign in with it any more."
    )
    return redirect("token-settings")
