"""Charts of the feedback loop: a key result's values over time against the baseline→target
line, and a goal's confidence (1–5) over time.

Only geometry here; templates/goals/_chart.html and _confidence_chart.html draw it as inline
SVG (no script, no inline styles: the Content Security Policy allows neither). Time runs on a
real axis: check-ins of one day sit at their hours, not on one vertical line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from django.utils import dateformat

from goals.wording import amount, counted

# The view box is a little wider than a phone, so its 14-unit text stays readable when it
# shrinks to 320 px (the chart is then 180 px high) and grows with a laptop's column.
WIDTH, HEIGHT = 440, 250
LEFT, RIGHT, TOP, BOTTOM = 16, 424, 16, 214  # the plot area inside the view box
TICK_LABEL_Y = HEIGHT - 16
# Tick labels ("28 Sep", "Sep 2026") are at most ~60 units wide at 14 units: this far apart
# they never touch.
MIN_TICK_GAP = 80
LINE_HEIGHT = 16
DAY_STEPS = (1, 2, 7, 14)
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200)  # dates stay in 1970–2200


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    data: bool = False  # a value that came from data (a push, a source), drawn as a diamond


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Guide:
    """A labelled horizontal line: the baseline, the target, a confidence level."""

    y: float
    label: str
    label_y: float  # where its label's baseline sits


@dataclass
class Chart:
    """Coordinates in a WIDTH × HEIGHT view box, and the words that describe the chart."""

    key: str
    title: str
    description: str
    line: str  # polyline points of the values
    dots: list[Dot] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    guides: list[Guide] = field(default_factory=list)
    rows: list[tuple[str, ...]] = field(default_factory=list)  # the table, one per point
    columns: tuple[str, ...] = ("Check-in", "Value")  # the table's headings
    plan: tuple[float, float, float, float] | None = None  # baseline at the start → target
    width: int = WIDTH
    height: int = HEIGHT
    tick_label_y: int = TICK_LABEL_Y
    axis_y: int = BOTTOM
    left: int = LEFT
    right: int = RIGHT

    @property
    def from_data(self) -> bool:
        """Whether some of its values came from data, which the legend then explains."""
        return any(dot.data for dot in self.dots)


Moment = date | datetime


def progress_chart(
    *,
    key: str,
    title: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    starts_on: date,
    ends_on: date | None,
    values: Sequence[tuple[datetime, Decimal]],
    data: Sequence[tuple[datetime, Decimal, str]] = (),
) -> Chart:
    """The chart of one key result: `values` are (local time, value) from its check-ins,
    `data` (local time, value, who sent it) the values that came from data; each oldest
    first.

    The line starts at the baseline on `starts_on` and runs through every value in time
    order; the plan runs from there to the target on `ends_on` (or the last value when there
    is no due date).
    """
    points = sorted(
        [*((when, value, "") for when, value in values), *data], key=lambda point: point[0]
    )
    last_day = max([starts_on, *(when.date() for when, _, _ in points)])
    end = max(ends_on or last_day, last_day, starts_on + timedelta(days=1))
    x = _time_axis(_days(starts_on), _days(end) + 1)  # the due day runs to its end
    numbers = [baseline, target, *(v for _, v, _ in points)]
    low, high = min(numbers), max(numbers)
    pad = (high - low) / 10 or Decimal(1)
    low, high = low - pad, high + pad

    def y(value: Decimal) -> float:
        return round(float(BOTTOM - (BOTTOM - TOP) * (value - low) / (high - low)), 1)

    def measured(value: Decimal) -> str:
        return f"{amount(value)} {unit}".strip()

    dots = [
        Dot(x(starts_on), y(baseline), f"{_when(starts_on)}: {measured(baseline)}"),
        *(
            Dot(x(when), y(value), f"{_when(when)}: {measured(value)}{_from(by)}", data=bool(by))
            for when, value, by in points
        ),
    ]
    return Chart(
        key=key,
        title=f"Progress of “{title}”",
        description=(
            f"From {measured(baseline)} (baseline, {_day(starts_on)}) towards {measured(target)} "
            f"(target, {_day(end)}). {_told(len(values), points, measured)}"
        ),
        plan=(x(starts_on), y(baseline), x(end + timedelta(days=1)), y(target)),
        line=" ".join(f"{d.x},{d.y}" for d in dots),
        dots=dots,
        ticks=_ticks(starts_on, end, x),
        guides=_labelled(
            (y(baseline), f"baseline {measured(baseline)}"),
            (y(target), f"target {measured(target)}"),
        ),
        rows=[
            (_when(when), measured(value), *([by or "Check-in"] if data else []))
            for when, value, by in points
        ],
        columns=("When", "Value", "From") if data else ("Check-in", "Value"),
    )


def _from(by: str) -> str:
    return f", from {by}" if by else ""


def _told(
    check_ins: int,
    points: Sequence[tuple[datetime, Decimal, str]],
    measured: Callable[[Decimal], str],
) -> str:
    """ "2 check-ins and 3 values from data, the latest 40 % on 3 Jun 2026 (from …)." """
    if not points:
        return "No check-ins yet."
    counts = [counted(check_ins, "check-in")] if check_ins else []
    if len(points) > check_ins:
        counts.append(f"{counted(len(points) - check_ins, 'value')} from data")
    when, latest, by = points[-1]
    return (
        f"{' and '.join(counts)}, the latest {measured(latest)} on {_day(when)}"
        f"{f' (from {by})' if by else ''}."
    )


def confidence_chart(*, key: str, title: str, values: Sequence[tuple[datetime, int]]) -> Chart:
    """How sure the team was at each check-in, 1 to 5: `values` are (local time, confidence),
    oldest first, at least one."""
    first, last = values[0][0].date(), values[-1][0].date()
    x = _time_axis(_days(first), _days(last) + 1)

    def y(level: int) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * (level - 0.5) / 5, 1)

    dots = [Dot(x(when), y(level), f"{_when(when)}: {level} of 5") for when, level in values]
    changed = f", now {values[-1][1]} of 5 on {_day(values[-1][0])}" if len(values) > 1 else ""
    return Chart(
        key=f"confidence-{key}",
        title=f"Confidence in “{title}”",
        description=(
            f"{counted(len(values), 'check-in')}, from {values[0][1]} of 5 on "
            f"{_day(values[0][0])}{changed}. 1 is not sure at all, 5 is sure."
        ),
        line=" ".join(f"{d.x},{d.y}" for d in dots),
        dots=dots,
        ticks=_ticks(first, last, x),
        guides=[Guide(y(level), str(level), round(y(level) + 4, 1)) for level in range(1, 6)],
        rows=[(_when(when), f"{level} of 5") for when, level in values],
        columns=("Check-in", "Confidence"),
    )


def _days(when: Moment) -> float:
    """Days since the start of the calendar, to the minute for a time of day."""
    if isinstance(when, datetime):
        return when.toordinal() + (when.hour * 60 + when.minute) / 1440
    return float(when.toordinal())


def _time_axis(start: float, end: float) -> Callable[[Moment], float]:
    span = max(end - start, 1.0)

    def x(when: Moment) -> float:
        return round(LEFT + (RIGHT - LEFT) * (_days(when) - start) / span, 1)

    return x


def _ticks(first: date, last: date, x: Callable[[Moment], float]) -> list[Tick]:
    """A few dates along the time axis, at the first step that keeps their labels apart."""
    for step in DAY_STEPS:
        days = [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]
        ticks = _fitting([Tick(x(day), dateformat.format(day, "j M")) for day in days])
        if _spaced(ticks):
            return ticks
    for months in MONTH_STEPS:
        starts = _month_starts(first, last, months)
        ticks = _fitting([Tick(x(day), dateformat.format(day, "M Y")) for day in starts])
        if _spaced(ticks):
            return ticks
    return []


def _fitting(ticks: list[Tick]) -> list[Tick]:
    """The ticks whose label (written from the tick rightwards) has room before the edge."""
    return [tick for tick in ticks if tick.x <= WIDTH - MIN_TICK_GAP]


def _spaced(ticks: list[Tick]) -> bool:
    return all(b.x - a.x >= MIN_TICK_GAP for a, b in pairwise(ticks))


def _month_starts(first: date, last: date, months: int) -> list[date]:
    """The first days of every `months`-th month from `first` on, up to `last`."""
    index = first.year * 12 + first.month - (1 if first.day == 1 else 0)  # months from year 0
    index += -index % months  # on a round step: January, April… for quarters
    starts = []
    while (day := date(index // 12, index % 12 + 1, 1)) <= last:
        starts.append(day)
        index += months
    return starts


def _labelled(*lines: tuple[float, str]) -> list[Guide]:
    """Labels of the baseline and target lines, given as (y, words): the lower line's label
    goes under it, the upper one's over it, so the two never collide and neither sits on the
    values' line where it leaves the baseline (the plot pads its values: there is room under
    the lowest line)."""
    (lower_y, lower), (upper_y, upper) = sorted(lines, key=lambda line: -line[0])
    return [
        Guide(lower_y, lower, round(lower_y + LINE_HEIGHT - 1, 1)),
        Guide(upper_y, upper, round(upper_y - 4, 1)),
    ]


def _day(when: Moment) -> str:
    return dateformat.format(when, "j M Y")


def _when(when: Moment) -> str:
    return dateformat.format(when, "j M Y, H:i" if isinstance(when, datetime) else "j M Y")
