"""The calendar feed, opened by the secret in its address (no sign-in), and the settings page
where a person makes, replaces and stops their own."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from goals.selectors.calendar import feed_calendar, feed_of, feed_person, feed_url
from goals.services.calendar import calendar_feed_rotate, calendar_feed_stop
from goals.views.common import AuthedRequest, page

# The address just made, kept in the session from the form's redirect to the next page only,
# which takes it out: it is shown once, as a new API token is.
NEW_FEED_URL = "goals_new_calendar_feed_url"


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's events as iCalendar; an unknown, replaced or stopped address is a 404, and
    so is the address of a deactivated account."""
    person = feed_person(token)
    if person is None:
        raise Http404()
    response = HttpResponse(feed_calendar(person), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="goal-chain.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@page
def calendar_settings(request: AuthedRequest) -> HttpResponse:
    """What the feed holds, and its link: made (or replaced) here and shown once."""
    if request.method == "POST":
        replaced = feed_of(request.user) is not None
        request.session[NEW_FEED_URL] = feed_url(calendar_feed_rotate(user=request.user))
        messages.success(
            request,
            "Made a new calendar link: the old one no longer works."
            if replaced
            else "Made your calendar link.",
        )
        return redirect("calendar-settings")
    feed = feed_of(request.user)
    new_url = request.session.pop(NEW_FEED_URL, None)
    context = {"feed": feed, "new_url": new_url if feed is not None else None}
    return render(request, "goals/calendar_settings.html", context)


@page
@require_POST
def calendar_stop(request: AuthedRequest) -> HttpResponse:
    if calendar_feed_stop(user=request.user):
        messages.success(request, "Stopped your calendar feed: its link no longer works.")
    return redirect("calendar-settings")
