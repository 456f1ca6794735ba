"""Calendar feeds: the secret in a feed's address, the events a feed holds, and the iCalendar
text they make. Pure functions, no database: the rows come loaded from goals/selectors.

A feed's address holds a secret kept only as a SHA-256, like an API token. Every event's
UID names what it is about (`review-goal-42@host`), so a calendar that fetches the feed
again, or through a new address, updates the events it has instead of adding copies.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from goals.models import FeedbackRound, Goal, Product, User
from goals.rules.schedule import zone

PRODID = "-//Goal Chain//Calendar feed//EN"
# How often calendars are asked to fetch the feed again (they may choose to wait longer).
REFRESH = timedelta(hours=1)
# A workshop without timeboxes is put down for an hour.
WORKSHOP_LENGTH = timedelta(hours=1)


def new_feed_secret() -> str:
    return secrets.token_urlsafe(32)


def feed_name(person: User) -> str:
    return f"Goal Chain — {person.name}"


@dataclass(frozen=True)
class FeedEvent:
    """One event of a feed: all-day when `start` is a date, timed when it is a datetime."""

    uid: str
    summary: str
    description: str
    url: str
    start: date | datetime
    end: date | datetime
    cancelled: bool = False


@dataclass(frozen=True)
class Site:
    """Where links point (SITE_URL) and the host that makes UIDs unique."""

    root: str
    host: str

    def uid(self, what: str) -> str:
        return f"{what}@{self.host}"

    def link(self, path: str) -> str:
        return self.root + path


def _next_day(day: date) -> date:
    return day + timedelta(days=1)


def review_event(goal: Goal, url: str, site: Site) -> FeedEvent:
    """The day a goal the person owns is due for review (goal.next_review_on is set)."""
    assert goal.next_review_on is not None
    return FeedEvent(
        uid=site.uid(f"review-goal-{goal.pk}"),
        summary=f"Review: {goal.title}",
        description=(
            f"The {goal.get_level_display().lower()} “{goal.title}” ({goal.product.name}) is due "
            "for review. Check in with where its key results are now and how sure the team is."
        ),
        url=url,
        start=goal.next_review_on,
        end=_next_day(goal.next_review_on),
    )


def sprint_end_event(goal: Goal, url: str, site: Site) -> FeedEvent:
    """The last day of an open sprint goal's sprint (goal.ends_on is set)."""
    assert goal.ends_on is not None
    return FeedEvent(
        uid=site.uid(f"sprint-end-goal-{goal.pk}"),
        summary=f"Sprint ends: {goal.title}",
        description=(
            f"The last day of the sprint of “{goal.title}” ({goal.product.name}). Did it meet "
            "its goal? The verdict, met or not met, is given on the goal's page."
        ),
        url=url,
        start=goal.ends_on,
        end=_next_day(goal.ends_on),
    )


def feedback_event(feedback_round: FeedbackRound, person: User, url: str, site: Site) -> FeedEvent:
    """The deadline of a round the person opened, or was asked in and has not answered."""
    goal = feedback_round.goal
    asker = feedback_round.requested_by
    if asker is not None and asker.pk == person.pk:
        summary = f"Feedback round ends: {goal.title}"
        text = f"Answers to your feedback round on “{goal.title}” ({goal.product.name}) are due"
    else:
        summary = f"Feedback due: {goal.title}"
        who = asker.name if asker is not None else "A product leader"
        text = f"{who} asks for your feedback on “{goal.title}” ({goal.product.name}), due"
    lines = [f"{text} by the end of the day."]
    if feedback_round.question:
        lines.append(f"The question: {feedback_round.question}")
    return FeedEvent(
        uid=site.uid(f"feedback-round-{feedback_round.pk}"),
        summary=summary,
        description="\n\n".join(lines),
        url=url,
        start=feedback_round.deadline,
        end=_next_day(feedback_round.deadline),
    )


class WorkshopLike(Protocol):
    """What a workshop's event reads of a workshops.Workshop (rules never import workshops)."""

    @property
    def pk(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def product(self) -> Product: ...
    @property
    def facilitator(self) -> User: ...
    @property
    def timeboxes(self) -> Any: ...
    @property
    def agenda(self) -> str: ...
    @property
    def cancel_reason(self) -> str: ...
    @property
    def is_cancelled(self) -> bool: ...


def workshop_length(timeboxes: object) -> timedelta:
    """The sum of a workshop's timeboxes (minutes per phase), or an hour without any."""
    minutes = 0
    if isinstance(timeboxes, Mapping):
        minutes = sum(m for m in timeboxes.values() if isinstance(m, int) and m > 0)
    return timedelta(minutes=minutes) if minutes else WORKSHOP_LENGTH


def workshop_event(
    workshop: WorkshopLike, scheduled_at: datetime, url: str, site: Site
) -> FeedEvent:
    """A workshop the person takes part in, at its time in the organisation's time zone."""
    start = scheduled_at.astimezone(zone(workshop.product.organization.time_zone))
    lines = [f"A workshop of {workshop.product.name}, facilitated by {workshop.facilitator.name}."]
    cancelled = workshop.is_cancelled
    if cancelled:
        lines.insert(0, "This workshop was cancelled.")
        if workshop.cancel_reason:
            lines.insert(1, f"Why: {workshop.cancel_reason}")
    if workshop.agenda:
        lines.append(f"Agenda:\n{workshop.agenda}")
    return FeedEvent(
        uid=site.uid(f"workshop-{workshop.pk}"),
        summary=f"{'Cancelled workshop' if cancelled else 'Workshop'}: {workshop.title}",
        description="\n\n".join(lines),
        url=url,
        start=start,
        end=start + workshop_length(workshop.timeboxes),
        cancelled=cancelled,
    )


def _time_zone_span(events: Iterable[FeedEvent]) -> tuple[date, date] | None:
    """The days the time zone descriptions cover: those of the timed events, and a year
    beyond the last, so each description holds a whole round of daylight saving."""
    days = [e.start.date() for e in events if isinstance(e.start, datetime)]
    days += [e.end.date() for e in events if isinstance(e.end, datetime)]
    if not days:
        return None
    return min(days) - timedelta(days=1), max(days) + timedelta(days=366)


def feed_ical(*, name: str, uid: str, events: Sequence[FeedEvent], stamp: datetime) -> bytes:
    """The iCalendar text of a feed: its events, in order, with the time zones they use."""
    # Imported here: a web process that serves no feed is spared its megabytes.
    from icalendar import Calendar, Event, vDuration

    calendar = Calendar.new(prodid=PRODID, name=name, uid=uid, refresh_interval=REFRESH)
    # RFC 7986 asks for the value type to be named.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    # Outlook reads the refresh interval from here.
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for item in sorted(events, key=lambda e: (_sort_key(e.start), e.uid)):
        event = Event.new(
            uid=item.uid,
            stamp=stamp,
            summary=item.summary,
            description=item.description,
            url=item.url,
            start=item.start,
            end=item.end,
        )
        if item.cancelled:
            event.status = "CANCELLED"
        calendar.add_component(event)
    span = _time_zone_span(events)
    if span is not None:
        calendar.add_missing_timezones(first_date=span[0], last_date=span[1])
    return calendar.to_ical()


def _sort_key(start: date | datetime) -> str:
    """All-day and timed events in one order: by their (UTC) moment, as text."""
    if isinstance(start, datetime):
        return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return start.strftime("%Y-%m-%dT00:00")
