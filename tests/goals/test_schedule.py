"""Review schedule maths: cadences, month ends, time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from goals.rules.schedule import (
    Cadence,
    add_months,
    is_time_zone,
    local_moment,
    local_today,
    next_review,
    review_due,
    week_start,
    zone,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # quarterly across the year's end
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 8, 31), 3, date(2025, 11, 30)),
        (date(2023, 11, 29), 3, date(2024, 2, 29)),
    ],
)
def test_it_adds_months_and_keeps_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        (Cadence.WEEKLY, date(2025, 2, 7)),
        (Cadence.BIWEEKLY, date(2025, 2, 14)),
        (Cadence.MONTHLY, date(2025, 2, 28)),
        (Cadence.QUARTERLY, date(2025, 4, 30)),
        (Cadence.NONE, None),
    ],
)
def test_it_finds_the_next_review_one_period_on(cadence, expected):
    assert next_review(date(2025, 1, 31), cadence) == expected


def test_a_monthly_review_on_the_last_of_january_falls_on_the_29th_in_a_leap_year():
    assert next_review(date(2028, 1, 31), Cadence.MONTHLY) == date(2028, 2, 29)


def test_it_knows_which_day_it_is_in_each_time_zone():
    moment = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert local_today("UTC", moment) == date(2026, 3, 10)
    assert local_today("Europe/Berlin", moment) == date(2026, 3, 11)
    assert local_today("America/Los_Angeles", moment) == date(2026, 3, 10)
    assert local_today("Pacific/Kiritimati", datetime(2026, 3, 10, 10, tzinfo=UTC)) == date(
        2026, 3, 11
    )


def test_it_puts_the_reminder_hour_on_the_local_wall_clock():
    # Berlin is UTC+1 in winter and UTC+2 in summer: 09:00 local moves in UTC.
    assert local_moment(date(2026, 1, 15), 9, "Europe/Berlin") == datetime(
        2026, 1, 15, 8, tzinfo=UTC
    )
    assert local_moment(date(2026, 7, 15), 9, "Europe/Berlin") == datetime(
        2026, 7, 15, 7, tzinfo=UTC
    )
    assert local_moment(date(2026, 7, 15), 9, "Asia/Kolkata") == datetime(
        2026, 7, 15, 3, 30, tzinfo=UTC
    )


def test_it_keeps_the_local_hour_on_the_days_clocks_change():
    # Europe/Berlin: clocks go forward on 29 March 2026 and back on 25 October 2026.
    assert local_moment(date(2026, 3, 29), 9, "Europe/Berlin") == datetime(
        2026, 3, 29, 7, tzinfo=UTC
    )
    assert local_moment(date(2026, 10, 25), 9, "Europe/Berlin") == datetime(
        2026, 10, 25, 8, tzinfo=UTC
    )
    # America/New_York: forward on 8 March 2026, back on 1 November 2026.
    assert local_moment(date(2026, 3, 8), 9, "America/New_York") == datetime(
        2026, 3, 8, 13, tzinfo=UTC
    )
    assert local_moment(date(2026, 11, 1), 9, "America/New_York") == datetime(
        2026, 11, 1, 14, tzinfo=UTC
    )


def test_an_hour_skipped_by_the_clock_change_becomes_the_first_moment_after_it():
    moment = local_moment(date(2026, 3, 29), 2, "Europe/Berlin")  # 02:00–03:00 does not exist
    assert moment == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert moment.astimezone(zone("Europe/Berlin")).hour == 3


def test_an_hour_that_happens_twice_is_its_first_time():
    moment = local_moment(date(2026, 10, 25), 2, "Europe/Berlin")  # 02:00 comes twice
    assert moment == datetime(2026, 10, 25, 0, tzinfo=UTC)  # 02:00 summer time


def test_the_day_before_a_review_is_counted_in_local_days_across_a_clock_change():
    # Two local days before 30 March 09:00 in Berlin is 28 March 09:00 (winter time),
    # 47 hours earlier in UTC, not 48.
    review = local_moment(date(2026, 3, 30), 9, "Europe/Berlin")
    reminder = local_moment(date(2026, 3, 28), 9, "Europe/Berlin")
    assert (review - reminder).total_seconds() == 47 * 3600


def test_it_accepts_iana_time_zones_only():
    assert is_time_zone("Europe/Berlin")
    assert is_time_zone("UTC")
    assert not is_time_zone("Mars/Olympus_Mons")
    assert not is_time_zone("../../etc/passwd")
    assert not is_time_zone("")


def test_an_unknown_stored_time_zone_falls_back_to_utc():
    assert zone("Nowhere/Land").key == "UTC"


@pytest.mark.parametrize(
    ("days", "text", "overdue", "soon"),
    [
        (3, "review due in 3 days", False, False),
        (2, "review due in 2 days", False, True),
        (1, "review due tomorrow", False, True),
        (0, "review due today", False, True),
        (-1, "review overdue by 1 day", True, False),
        (-2, "review overdue by 2 days", True, False),
    ],
)
def test_it_says_how_far_a_review_is(days, text, overdue, soon):
    today = date(2026, 5, 10)
    due = review_due(date.fromordinal(today.toordinal() + days), today)
    assert due is not None
    assert (due.text, due.overdue, due.soon) == (text, overdue, soon)


def test_a_goal_without_a_review_date_has_no_due_text():
    assert review_due(None, date(2026, 5, 10)) is None


def test_weeks_start_on_monday():
    assert week_start(date(2026, 5, 10)) == date(2026, 5, 4)  # a Sunday
    assert week_start(date(2026, 5, 4)) == date(2026, 5, 4)
