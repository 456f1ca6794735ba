"""Pages of the inbox, email preferences (also from an email's link, without signing in),
and a product's activity feed."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from goals import access
from goals.forms.conversations import PreferencesForm
from goals.models import EmailFrequency
from goals.selectors import activity
from goals.selectors.notifications import inbox_of, user_for_token
from goals.services.notifications import mark_all_read, mark_read, set_email_preference
from goals.views.common import AuthedRequest, page

PER_PAGE = 50


@page
def inbox(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    notifications = inbox_of(request.user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page_obj = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "unread_only": unread_only}
    return render(request, "goals/notifications.html", context)


@page
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Follow a notification to its place; following it marks it read."""
    notification = access.get_notification(request.user, pk)
    mark_read(user=request.user, notification=notification)
    url = notification.url
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        url = "/"
    return redirect(url)


@page
@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = access.get_notification(request.user, pk)
    mark_read(user=request.user, notification=notification)
    return redirect(_inbox_url(request))


@page
@require_POST
def notifications_read_all(request: AuthedRequest) -> HttpResponse:
    marked = mark_all_read(user=request.user)
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect(_inbox_url(request))


def _inbox_url(request: AuthedRequest) -> str:
    url = reverse("notifications")
    return f"{url}?show=unread" if request.POST.get("show") == "unread" else url


@page
def notification_settings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(
        request.POST or None, initial={"email_notifications": user.email_notifications}
    )
    if request.method == "POST" and form.is_valid():
        set_email_preference(user=user, frequency=form.cleaned_data["email_notifications"])
        messages.success(request, "Your email preference is saved.")
        return redirect("notification-settings")
    status = 400 if form.is_bound else 200
    return render(request, "goals/notification_settings.html", {"form": form}, status=status)


# Anyone holding the email's signed link may change its recipient's preference: no sign-in,
# and no CSRF token either, so mail clients can unsubscribe in one click (RFC 8058).
@csrf_exempt
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = user_for_token(token)
    if user is None:
        return render(request, "goals/unsubscribe.html", {"invalid": True}, status=404)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and data.get("List-Unsubscribe") == "One-Click":
        data["email_notifications"] = EmailFrequency.OFF
    form = PreferencesForm(data, initial={"email_notifications": user.email_notifications})
    saved = False
    if data is not None and form.is_valid():
        set_email_preference(user=user, frequency=form.cleaned_data["email_notifications"])
        saved = True
    context = {"form": form, "person": user, "saved": saved, "token": token}
    status = 400 if data is not None and not saved else 200
    return render(request, "goals/unsubscribe.html", context, status=status)


@page
def product_activity(request: AuthedRequest, pk: int) -> HttpResponse:
    product = access.get_product(request.user, pk)
    page_obj = Paginator(activity.feed_rows(product, request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "product": product,
        "organization": product.organization,
        "page_obj": page_obj,
        "items": activity.feed_items(list(page_obj.object_list)),
    }
    return render(request, "goals/activity.html", context)
