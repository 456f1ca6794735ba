"""The chain's rules as pure functions, shared by goal services, health and workshop proposals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from goals.models import Level
from goals.wording import counted

SPRINT_MIN_DAYS = 7
SPRINT_MAX_DAYS = 28

# The days a goal, key result, review or workshop may fall on. Anything outside is a typo
# ("0026", "9999"), and boards draw time between the earliest and latest day they show.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2200, 12, 31)


DATE_WINDOW_MESSAGE = f"Choose a date between {EARLIEST_DAY.year} and {LATEST_DAY.year}."


def in_date_window(day: date) -> bool:
    """Whether `day` lies between 1970 and 2200, the days the app accepts and draws."""
    return EARLIEST_DAY <= day <= LATEST_DAY


# The digits 0-9 only: str.isdigit() also passes "²" and "①", which int() then refuses, and
# int() reads "٣" as 3. Eighteen digits keep the number within what a database column holds.
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


def whole_number(text: str) -> int | None:
    """`text` as a whole number written in the digits 0 to 9 (spaces around allowed), else None."""
    match = _WHOLE_NUMBER.fullmatch(text.strip())
    return int(match.group()) if match else None


@dataclass(frozen=True)
class Window:
    """The timeframe a level's goals should span, in days (ends_on - starts_on)."""

    min_days: int
    max_days: int | None
    label: str


# Vision 5+ years, user/business 1 to 3 years, product 2 to 6 months, sprint 1 to 4 weeks.
WINDOWS: dict[str, Window] = {
    Level.VISION: Window(5 * 365, None, "at least five years"),
    Level.USER: Window(365, 3 * 366, "one to three years"),
    Level.BUSINESS: Window(365, 3 * 366, "one to three years"),
    Level.PRODUCT: Window(59, 186, "two to six months"),
    Level.SPRINT: Window(SPRINT_MIN_DAYS, SPRINT_MAX_DAYS, "one to four weeks"),
}


def timeframe_errors(level: str, starts_on: date | None, ends_on: date | None) -> list[str]:
    """Refusals: an end before the start, a sprint outside one to four weeks."""
    if starts_on is None or ends_on is None:
        return []
    if ends_on <= starts_on:
        return ["The end date must be after the start date."]
    days = (ends_on - starts_on).days
    if level == Level.SPRINT and not SPRINT_MIN_DAYS <= days <= SPRINT_MAX_DAYS:
        return [
            f"A sprint goal spans one to four weeks ({SPRINT_MIN_DAYS} to {SPRINT_MAX_DAYS} days); "
            f"this one spans {days} days."
        ]
    return []


def timeframe_warning(level: str, starts_on: date | None, ends_on: date | None) -> str | None:
    """Advice: a timeframe outside its level's window. None where timeframe_errors refuses
    it (an end before the start, a sprint outside one to four weeks): saying it twice, once
    as a rule and once as advice, reads as two problems."""
    if starts_on is None or ends_on is None or timeframe_errors(level, starts_on, ends_on):
        return None
    window = WINDOWS[level]
    days = (ends_on - starts_on).days
    too_short = days < window.min_days
    too_long = window.max_days is not None and days > window.max_days
    if not (too_short or too_long):
        return None
    label = Level(level).label.lower()
    return f"A {label} usually spans {window.label}; this one spans {_span(days)}."


def _span(days: int) -> str:
    if days >= 365:
        return years(days)
    if days >= 60:
        return counted(round(days / 30.4), "month")
    return counted(days, "day")


def years(days: int) -> str:
    """A span in years to a tenth, as people write it: "1 year", "4.5 years"."""
    return counted(round(Decimal(days) / 365, 1), "year")
