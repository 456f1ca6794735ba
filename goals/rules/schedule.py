"""Review schedule maths: cadences, month ends, time zones and daylight-saving changes.

Pure functions, no database. Dates are calendar days in the organisation's time zone;
moments are timezone-aware datetimes.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from goals.models import Cadence, Product

DEFAULT_TIME_ZONE = "UTC"


# Months per cadence that moves by calendar months; the others move by days.
_MONTHS: dict[str, int] = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3}
_DAYS: dict[str, int] = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter.

    31 January + 1 month is 28 February (29 in a leap year), not 3 March.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(after: date, cadence: str) -> date | None:
    """The review one period after `after`; None when the level has no regular review."""
    if cadence in _DAYS:
        return after + timedelta(days=_DAYS[cadence])
    if cadence in _MONTHS:
        return add_months(after, _MONTHS[cadence])
    return None


@functools.cache
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """An IANA time zone name such as "Europe/Berlin" (paths and unknown names are not)."""
    return name in time_zone_names()


def zone(name: str) -> ZoneInfo:
    """The time zone of that name; a stored name that no longer exists falls back to UTC."""
    try:
        return ZoneInfo(name) if is_time_zone(name) else ZoneInfo(DEFAULT_TIME_ZONE)
    except ZoneInfoNotFoundError:
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_today(time_zone: str, now: datetime | None = None) -> date:
    """The calendar day it is in `time_zone` at `now` (default: this moment)."""
    return (now or datetime.now(UTC)).astimezone(zone(time_zone)).date()


def local_moment(day: date, hour: int, time_zone: str) -> datetime:
    """`hour` o'clock on `day` on the wall clocks of `time_zone`, as an aware datetime in UTC.

    On the night clocks go forward an hour that does not exist (02:00 in Berlin) becomes the
    first moment that does (03:00 local); in the hour that repeats when clocks go back, the
    first of the two.
    """
    # fold=0 does both: a wall time in the gap is read with the offset from before the
    # change, which lands on the first moment after the gap; a repeated one is the first.
    return datetime.combine(day, time(hour), tzinfo=zone(time_zone)).astimezone(UTC)


@dataclass(frozen=True)
class ReviewDue:
    """How far away a review is, in words for the pages: "review due in 3 days"."""

    days: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def soon(self) -> bool:
        return 0 <= self.days <= 2

    @property
    def text(self) -> str:
        if self.days < 0:
            late = -self.days
            return f"review overdue by {late} day{'s' if late != 1 else ''}"
        if self.days == 0:
            return "review due today"
        if self.days == 1:
            return "review due tomorrow"
        return f"review due in {self.days} days"


def review_due(review_on: date | None, today: date) -> ReviewDue | None:
    if review_on is None:
        return None
    return ReviewDue((review_on - today).days)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def product_today(product: Product, now: datetime | None = None) -> date:
    """Today in the product's organisation's time zone."""
    return local_today(product.organization.time_zone, now)


MAX_REMIND_DAYS_BEFORE = 30
