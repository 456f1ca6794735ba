"""The admin signs in through the app's own sign-in page.

Django's admin has a sign-in form of its own that would let a password through without the
second factor and for members of organisations that sign in with SSO only. Its address now
sends visitors to the app's page, which applies every rule, and back to the admin after."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        # Signed in, yet sent here: the admin is for staff only.
        raise PermissionDenied("The admin is for staff only.")
    admin_home = f"/{settings.ADMIN_URL}"
    after = request.GET.get("next") or admin_home
    if not url_has_allowed_host_and_scheme(after, allowed_hosts=None):
        after = admin_home
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': after})}")
