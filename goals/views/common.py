"""What every page view shares: sign-in, domain errors as 404/403, htmx responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from goals.errors import DomainError, Forbidden, NotFound
from goals.models import Invitation, User
from goals.services.invitations import invitation_withdraw


class AuthedRequest(HttpRequest):
    """A request that `page` let through: its user is signed in."""

    user: User


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users only; what they cannot see is a 404, what they cannot do a 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None
        except Forbidden as error:
            raise PermissionDenied(error.message) from None

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def invalid_status(request: HttpRequest) -> int:
    """A form with errors: 400 for a whole page; 200 for an htmx partial, which is just
    new content for the form (browsers log every 4xx fetch as a console error)."""
    return 200 if is_htmx(request) else 400


def swap(response: HttpResponse, target: str) -> HttpResponse:
    """Send an htmx response somewhere else than the element that asked, replacing it."""
    return reswap(retarget(response, target), "outerHTML")


def came_from(request: HttpRequest, url: str) -> bool:
    """Whether an htmx request was sent by the page at `url`.

    Only then are that page's elements there to redraw: htmx drops an answer aimed at an
    id the page lacks, and the user is left on a form that was in fact saved.
    """
    if not is_htmx(request):
        return False
    here = request.htmx.current_url or ""  # type: ignore[attr-defined]
    return urlsplit(here).path == urlsplit(url).path


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """Another page after a save: htmx is told to load it whole, a plain form redirected."""
    return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)


def back_to(url: str, anchor: str = "") -> HttpResponse:
    return redirect(f"{url}#{anchor}" if anchor else url)


def stale_form(form_class: Any, data: Any, version: int, error: Exception, **kwargs: Any) -> Any:
    """Someone saved in between: keep what the user typed, on top of the saved version.

    Saving again is then a deliberate choice to overwrite, made after reading the message.
    """
    data = data.copy()
    data[f"{kwargs['prefix']}-version" if kwargs.get("prefix") else "version"] = version
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(
        None,
        "Someone else saved this while you were editing, so your changes are not saved yet. "
        "Your text is kept below; compare it with what is saved now, then save again to keep "
        "yours.",
    )
    form.conflict = True
    return form


def withdraw_invitation(request: HttpRequest, invitation: Invitation) -> None:
    """Withdraw an invitation from a members page, saying how it went."""
    try:
        invitation_withdraw(invitation=invitation)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
