"""A key result's progress chart: its values over time against the baseline→target line.

Only geometry here; templates/goals/_chart.html draws it as inline SVG (no script, no
inline styles: the Content Security Policy allows neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import dateformat

from goals.wording import amount, counted

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 12, 308, 14, 112  # the plot area inside the view box


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass
class Chart:
    """Coordinates in a WIDTH × HEIGHT view box, and the words that describe the chart."""

    key: str
    title: str
    description: str
    plan: tuple[float, float, float, float]  # baseline at the start → target at the end
    target_y: float
    line: str  # polyline points of the values
    dots: list[Dot] = field(default_factory=list)
    start_label: str = ""
    end_label: str = ""
    rows: list[tuple[date, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    label_y: int = HEIGHT - 8
    axis_y: int = BOTTOM
    left: int = LEFT
    right: int = RIGHT


def progress_chart(
    *,
    key: str,
    title: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    starts_on: date,
    ends_on: date | None,
    values: Sequence[tuple[date, Decimal]],
) -> Chart:
    """The chart of one key result: `values` are (day, value) from its check-ins, oldest first.

    The line starts at the baseline on `starts_on`; the plan runs from there to the target
    on `ends_on` (or the last check-in when there is no due date).
    """
    points = [(starts_on, baseline), *values]
    last_day = max(day for day, _ in points)
    end = max(ends_on or last_day, last_day, starts_on + timedelta(days=1))
    numbers = [baseline, target, *(v for _, v in values)]
    low, high = min(numbers), max(numbers)
    pad = (high - low) / 10 or Decimal(1)
    low, high = low - pad, high + pad
    span_days = (end - starts_on).days

    def x(day: date) -> float:
        return round(LEFT + (RIGHT - LEFT) * (day - starts_on).days / span_days, 1)

    def y(value: Decimal) -> float:
        return round(float(BOTTOM - (BOTTOM - TOP) * (value - low) / (high - low)), 1)

    def measured(value: Decimal) -> str:
        return f"{amount(value)} {unit}".strip()

    dots = [Dot(x(day), y(value), f"{_day(day)}: {measured(value)}") for day, value in points]
    if values:
        latest_day, latest = values[-1]
        told = (
            f"{counted(len(values), 'check-in')}, the latest "
            f"{measured(latest)} on {_day(latest_day)}."
        )
    else:
        told = "No check-ins yet."
    return Chart(
        key=key,
        title=f"Progress of “{title}”",
        description=(
            f"From {measured(baseline)} (baseline, {_day(starts_on)}) towards {measured(target)} "
            f"(target, {_day(end)}). {told}"
        ),
        plan=(x(starts_on), y(baseline), x(end), y(target)),
        target_y=y(target),
        line=" ".join(f"{d.x},{d.y}" for d in dots),
        dots=dots,
        start_label=_day(starts_on),
        end_label=_day(end),
        rows=[(day, measured(value)) for day, value in values],
    )


def _day(day: date) -> str:
    return dateformat.format(day, "j M Y")
