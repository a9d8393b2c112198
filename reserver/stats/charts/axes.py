"""Where the charts' axes put their ticks, and how days and counts read.

Pure: dates and integers in, ticks and text out. Every tick is a whole day or a whole count,
because the charts show counts per day: a tick at noon, or at 2.5 installs, would mean nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

# Written out rather than strftime's %b, which follows the server's locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: At most this many day ticks. A label ("Mar 14") is about 40 px wide in the charts' 12 px
#: font; the widest plot (the page's 1,200 px less its paddings, about 1,050 px) gives each
#: of 8 labels 130 px: the label and at least twice as much space beside it.
MAX_DAY_TICKS = 8
#: On a phone at most this many tick labels show on a horizontal axis; the others are marked
#: minor, which the stylesheet hides below 800 px. A 390 px screen leaves a plot about 240 px
#: wide (180 px beside category names): 4 labels of up to 40 px with 20 px or more between.
NARROW_TICKS = 4
#: Day ticks every 1, 2, 7 or 14 days (weeks on Mondays), then on the first of every 1, 2, 3
#: or 6 months, then every 1, 2, 5 or 10 years: the first that gives at most MAX_DAY_TICKS.
DAY_STEPS = (1, 2, 7, 14)
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
#: A count axis has at most this many intervals: on the smallest chart's plot (about 200 px)
#: gridlines stay over 30 px apart, more than two lines of the 12 px tick labels.
MAX_COUNT_INTERVALS = 6


@dataclass(frozen=True)
class DaySpan:
    """The days a per-day chart shows, both ends included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a span ends before it starts: {self.first} to {self.last}")

    @property
    def length(self) -> int:
        """How many days, both ends included."""
        return (self.last - self.first).days + 1

    def days(self) -> Iterator[date]:
        """Every day of the span, oldest first (days without counts included)."""
        for offset in range(self.length):
            yield self.first + timedelta(days=offset)


@dataclass(frozen=True)
class DayTick:
    """A tick on a day axis."""

    #: The day it marks (always a whole day).
    day: date
    #: What it says: "Mar 14", "Apr" (the first of a month) or "2027" (a whole year).
    label: str
    #: The year, written under the label where the reader needs it, else None.
    year: str | None
    #: Hidden on narrow screens, where every other label would overlap its neighbours.
    minor: bool


def day_text(day: date) -> str:
    """A day as a tooltip says it.

    >>> day_text(date(2026, 11, 26))
    'Nov 26, 2026'
    """
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def count_text(count: int) -> str:
    """A count with thousands separated.

    >>> count_text(12345)
    '12,345'
    """
    return f"{count:,}"


def counted(count: int, unit: str) -> str:
    """A count and its unit, singular or plural.

    >>> counted(1, "install"), counted(1234, "unique source")
    ('1 install', '1,234 unique sources')
    """
    return f"{count_text(count)} {unit}{'' if count == 1 else 's'}"


def _by_days(span: DaySpan, step: int) -> list[date]:
    if step < 7:  # counted back from the last day, so the latest day always has its tick
        return [span.last - timedelta(days=d) for d in range(0, span.length, step)][::-1]
    mondays = [d for d in span.days() if d.weekday() == 0]
    return mondays[len(mondays) - 1 :: -step // 7][::-1] if mondays else []


def _by_months(span: DaySpan, step: int) -> list[date]:
    index = span.first.year * 12 + span.first.month - 1
    if span.first.day > 1:
        index += 1
    index += -index % step
    firsts = []
    while (day := date(index // 12, index % 12 + 1, 1)) <= span.last:
        firsts.append(day)
        index += step
    return firsts


def narrow_minor(count: int) -> list[bool]:
    """Which of ``count`` ticks phones hide: all but every k-th, at most NARROW_TICKS left,
    counted from the first.

    >>> narrow_minor(4), narrow_minor(7)
    ([False, False, False, False], [False, True, False, True, False, True, False])
    """
    every = -(-count // NARROW_TICKS)  # rounded up
    return [index % every != 0 for index in range(count)]


def _labelled(days: list[date], step_months: int) -> list[DayTick]:
    # Counted from the latest day backwards, so the latest tick always shows.
    minors = narrow_minor(len(days))[::-1]
    ticks = []
    year_shown: int | None = None
    for day, minor in zip(days, minors, strict=True):
        if step_months >= 12:
            label, year = str(day.year), None
        else:
            label = MONTHS[day.month - 1] if step_months else f"{MONTHS[day.month - 1]} {day.day}"
            # The year under the first tick and where it changes, on ticks phones show too.
            year = str(day.year) if not minor and day.year != year_shown else None
            if year is not None:
                year_shown = day.year
        ticks.append(DayTick(day, label, year, minor))
    return ticks


def _month_steps() -> Iterator[int]:
    yield from MONTH_STEPS
    months = MONTH_STEPS[-1]
    while True:  # spans of centuries: never in practice, but the loop must end
        months *= 10
        yield months


def day_ticks(span: DaySpan) -> list[DayTick]:
    """Ticks for ``span``: whole days, at most MAX_DAY_TICKS of them.

    >>> [t.label for t in day_ticks(DaySpan(date(2026, 3, 14), date(2026, 3, 14)))]
    ['Mar 14']
    >>> [t.label for t in day_ticks(DaySpan(date(2026, 3, 8), date(2026, 3, 14)))]
    ['Mar 8', 'Mar 9', 'Mar 10', 'Mar 11', 'Mar 12', 'Mar 13', 'Mar 14']
    >>> [t.label for t in day_ticks(DaySpan(date(2025, 3, 15), date(2026, 3, 14)))]
    ['May', 'Jul', 'Sep', 'Nov', 'Jan', 'Mar']
    """
    for step in DAY_STEPS:
        days = _by_days(span, step)
        if len(days) <= MAX_DAY_TICKS:
            return _labelled(days, 0)
    for months in _month_steps():
        days = _by_months(span, months)
        if len(days) <= MAX_DAY_TICKS:
            return _labelled(days, months)
    raise AssertionError("unreachable: the steps grow without bound")


def count_ticks(most: int) -> list[int]:
    """Whole-count ticks from 0 to at least ``most``, a step of 1, 2 or 5 times a power of 10.

    >>> count_ticks(0), count_ticks(3), count_ticks(7), count_ticks(101)
    ([0, 1], [0, 1, 2, 3], [0, 2, 4, 6, 8], [0, 20, 40, 60, 80, 100, 120])
    """
    top = max(most, 1)
    scale = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * scale
            intervals = -(-top // step)  # rounded up
            if intervals <= MAX_COUNT_INTERVALS:
                return [step * i for i in range(intervals + 1)]
        scale *= 10
