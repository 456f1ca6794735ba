"""The geometry of the feedback-loop charts: time on a real axis, readable ticks and labels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from goals.charts import BOTTOM, LEFT, MIN_TICK_GAP, RIGHT, WIDTH, confidence_chart, progress_chart


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def chart(values, *, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 30), **kwargs):
    return progress_chart(
        key="1", title="Weekly planners", unit="users",
        baseline=kwargs.get("baseline", Decimal(100)), target=kwargs.get("target", Decimal(300)),
        starts_on=starts_on, ends_on=ends_on, values=values,
    )  # fmt: skip


def test_it_spreads_check_ins_of_one_day_along_the_time_axis():
    day = date(2026, 6, 10)
    drawn = chart([(at(day, 9), Decimal(120)), (at(day, 17), Decimal(130))])
    morning, evening = drawn.dots[1], drawn.dots[2]
    assert morning.x < evening.x
    assert evening.x - morning.x == pytest.approx((RIGHT - LEFT) * (8 / 24) / 30, abs=0.1)
    assert drawn.rows == [("10 Jun 2026, 09:00", "120 users"), ("10 Jun 2026, 17:00", "130 users")]


def test_it_places_check_ins_by_their_time_from_the_start_to_the_due_date():
    drawn = chart([(at(date(2026, 6, 16), 0), Decimal(200))])
    assert drawn.dots[0].x == LEFT  # the baseline on the first day
    assert drawn.dots[1].x == pytest.approx(LEFT + (RIGHT - LEFT) / 2, abs=0.1)  # half-way
    assert drawn.plan[2] == RIGHT  # the target at the end of the due day


@pytest.mark.parametrize(
    "ends_on",
    [date(2026, 6, 2), date(2026, 6, 8), date(2026, 6, 30), date(2026, 9, 30),
     date(2027, 6, 1), date(2031, 1, 1), date(2060, 1, 1), date(2199, 12, 31)],
)  # fmt: skip
def test_it_labels_the_time_axis_with_a_few_dates_that_do_not_overlap(ends_on):
    ticks = chart([], ends_on=ends_on).ticks
    assert 2 <= len(ticks) <= 6
    assert all(b.x - a.x >= MIN_TICK_GAP for a, b in pairwise(ticks))
    assert all(LEFT <= t.x <= WIDTH - MIN_TICK_GAP for t in ticks)  # room for the label


def test_it_labels_ticks_by_day_and_month_or_by_month_and_year():
    assert [t.label for t in chart([], ends_on=date(2026, 6, 3)).ticks] == [
        "1 Jun", "2 Jun", "3 Jun",
    ]  # fmt: skip
    assert [t.label for t in chart([], ends_on=date(2026, 9, 30)).ticks] == [
        "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026",
    ]  # fmt: skip


def test_it_labels_the_baseline_and_the_target_with_their_values():
    drawn = chart([], baseline=Decimal("2600.0000"), target=Decimal("3100.5000"))
    labels = {g.label: g for g in drawn.guides}
    assert set(labels) == {"baseline 2,600 users", "target 3,100.5 users"}
    target, baseline = labels["target 3,100.5 users"], labels["baseline 2,600 users"]
    assert target.label_y < target.y  # over the upper line,
    assert baseline.label_y > baseline.y  # under the lower one, off the values' first dot
    assert baseline.label_y < BOTTOM  # and above the time axis


def test_it_puts_the_baseline_label_on_top_when_the_target_is_lower():
    drawn = chart([], baseline=Decimal(50), target=Decimal(10))
    labels = {g.label.split()[0]: g for g in drawn.guides}
    assert labels["baseline"].label_y < labels["baseline"].y
    assert labels["target"].label_y > labels["target"].y


def test_it_keeps_baseline_and_target_labels_apart_when_the_lines_are_close():
    values = [(at(date(2026, 6, 10), 9), Decimal(5000))]
    drawn = chart(values, baseline=Decimal(100), target=Decimal(110))
    lower, upper = sorted(drawn.guides, key=lambda g: -g.label_y)
    assert lower.label_y - upper.label_y >= 14


def test_it_charts_confidence_from_one_to_five_over_time():
    day = date(2026, 6, 10)
    drawn = confidence_chart(
        key="7", title="Families plan their week",
        values=[(at(day, 9), 2), (at(day, 15), 4), (at(day + timedelta(days=3), 9), 5)],
    )  # fmt: skip
    xs = [d.x for d in drawn.dots]
    ys = [d.y for d in drawn.dots]
    assert xs == sorted(xs) and len(set(xs)) == 3  # one day's check-ins apart
    assert ys[0] > ys[1] > ys[2]  # higher confidence is higher up
    assert [g.label for g in drawn.guides] == ["1", "2", "3", "4", "5"]
    assert drawn.key == "confidence-7"
    assert drawn.title == "Confidence in “Families plan their week”"
    assert drawn.description.startswith("3 check-ins, from 2 of 5 on 10 Jun 2026, now 5 of 5")
    assert drawn.rows[1] == ("10 Jun 2026, 15:00", "4 of 5")
    assert drawn.ticks  # dates along the time axis


def test_it_charts_a_single_confidence_at_the_left_edge():
    drawn = confidence_chart(key="7", title="T", values=[(at(date(2026, 6, 10), 0), 3)])
    assert drawn.dots[0].x == LEFT
    assert drawn.description.startswith("1 check-in, from 3 of 5 on 10 Jun 2026.")
