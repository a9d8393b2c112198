"""The dashboard's charts as inline SVG: counts in, markup out, so the page needs no script.

Pure: it reads nothing and depends on nothing else in the project. Every text that comes
from the data (a label, a tooltip) is escaped here, in element text and attributes alike.

Across the page the charts stretch: horizontal positions are percentages of the SVG's width,
vertical ones pixels, so text keeps its size from a phone to a wide screen. The count labels
on the left and the legend's colours come from the stylesheet (``.chart`` in dashboard.css):
the SVG's overflow is visible and its container leaves room for them.

Each day is a group over a transparent area as large as its column, so a day with a thin bar,
or none, is as easy to point at as any other. Its numbers are said twice: in its ``<title>``
(the browser's tooltip) and in a readout at the top of the chart, which the stylesheet shows
while the day is pointed at (``:hover``) or tapped (``:focus``: each day takes focus on a tap,
without joining the tab order), since touch screens show no tooltips. Categories carry their
counts beside their bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from itertools import pairwise

from .axes import DaySpan, count_text, count_ticks, counted, day_text, day_ticks, narrow_minor

#: Room above a plot: half a line of the 12 px text, for the top count label.
TOP = 8
#: A line of the readout band above a per-day plot (12 px text and its spacing). The band has
#: a line per line of readout: one ("Mar 14, 2026: 104 installs"), or two with a split
#: ("101 interactive, 3 CI / automation"), each short enough for a phone's 240 px plot.
READOUT_LINE = 18
#: Room below a day axis: its 4 px tick marks, a line of labels (baseline 17 px down) and a
#: line for the year (15 px lower), with room for descenders.
DAY_AXIS = 38
#: Room below a count axis along the bottom: tick marks and a line of labels.
COUNT_AXIS = 24
#: A day's bar fills this share of its column; the rest separates it from its neighbours.
BAR_SHARE = 0.8
#: Beyond this many days (a quarter) a column is under 12 px even on the widest plot
#: (1,050 px), and a fifth of it, anti-aliased, only pales the bars: they fill their column.
GAPS_UP_TO_DAYS = 92
#: However few the days, each column is at most 1/MIN_COLUMNS of the width (the days are
#: centred): a week, the shortest range the pages offer, fills the width, and one day alone
#: is a bar as wide as a day of it, not a slab across the chart.
MIN_COLUMNS = 7
#: A count above zero is drawn at least this tall (px), so it never looks like a zero.
MIN_BAR_PX = 1.0
#: Points of a line get a marker up to this many days (a month); beyond, on a phone's plot of
#: about 240 px, markers under 8 px apart would only thicken the line.
MARKER_DAYS = 31
#: Rows of a category chart: an 18 px bar and the space to the next.
ROW = 28
CATEGORY_BAR = 18
#: Category labels longer than this are cut (the tooltip has them whole): 14 characters of
#: the 12 px font fit the 7rem the stylesheet leaves on the left of a category chart.
LABEL_CHARS = 14
#: An estimate of the 12 px font's character width, for placing legend entries one after
#: another (SVG text cannot be measured on the server); generous, so entries never touch.
CHAR_PX = 7.5
#: A category's count is written inside the end of its bar when the bar is longer than this
#: share of the plot (at least 90 px on a phone, room for "10,000,000"), else just after it.
COUNT_INSIDE = 0.5


@dataclass(frozen=True)
class Series:
    """One part of a per-day bar (or the only one): its counts by day."""

    #: As the legend and the tooltips say it: "interactive".
    label: str
    #: The stylesheet's class for its colour: "interactive" is ``.chart-svg .interactive``.
    css: str
    #: Counts by day; a day that is missing counts 0.
    counts: Mapping[date, int]


def _e(text: str) -> str:
    return escape(text, quote=True)


def _pct(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") + "%"


def _px(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _svg(kind: str, label: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg {kind}" width="100%" '
        f'height="{_px(height)}" role="img" aria-label="{_e(label)}">' + "".join(body) + "</svg>"
    )


def _empty(kind: str, label: str, text: str) -> str:
    return _svg(kind, label, 48, [f'<text class="empty" x="0" y="28">{_e(text)}</text>'])


class _CountScale:
    """A count axis: its ticks, and how far along it a count falls (0 to 1)."""

    def __init__(self, most: int) -> None:
        self.ticks = count_ticks(most)
        self.top = self.ticks[-1]

    def share(self, count: int) -> float:
        return count / self.top


def _count_axis_left(scale: _CountScale, top: float, bottom: float) -> list[str]:
    parts = ['<g class="y-axis">']
    for value in scale.ticks:
        y = _px(bottom - scale.share(value) * (bottom - top))
        base = " base" if value == 0 else ""
        parts.append(
            f'<line class="grid{base}" x1="0" x2="100%" y1="{y}" y2="{y}"/>'
            f'<text class="y-tick" data-value="{value}" x="-8" y="{y}" dy="0.32em" '
            f'text-anchor="end">{count_text(value)}</text>'
        )
    parts.append("</g>")
    return parts


def _day_axis(span: DaySpan, column: float, offset: float, bottom: float) -> list[str]:
    parts = ['<g class="x-axis">']
    for tick in day_ticks(span):
        x = _pct(offset + ((tick.day - span.first).days + 0.5) * column)
        year = f'<tspan class="year" x="{x}" dy="15">{_e(tick.year)}</tspan>' if tick.year else ""
        minor = " minor" if tick.minor else ""
        parts.append(
            f'<g class="x-tick{minor}" data-day="{tick.day.isoformat()}">'
            f'<line x1="{x}" x2="{x}" y1="{_px(bottom)}" y2="{_px(bottom + 4)}"/>'
            f'<text x="{x}" y="{_px(bottom + 17)}" text-anchor="middle">'
            f"<tspan>{_e(tick.label)}</tspan>{year}</text></g>"
        )
    parts.append("</g>")
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = ['<g class="legend">']
    x = 0.0
    for item in series:
        parts.append(
            f'<rect class="swatch {_e(item.css)}" x="{_px(x)}" y="4" width="12" height="12"/>'
            f'<text x="{_px(x + 17)}" y="14">{_e(item.label)}</text>'
        )
        x += 17 + len(item.label) * CHAR_PX + 20
    parts.append("</g>")
    return parts


def _columns(span: DaySpan) -> tuple[float, float]:
    """Each day's column width and the offset of the first, in percent of the width."""
    columns = max(span.length, MIN_COLUMNS)
    width = 100 / columns
    return width, (columns - span.length) * width / 2


def _day_said(day: date, series: Sequence[Series], unit: str) -> list[str]:
    """What a day's readout says: the total, then the split when there are several series."""
    counts = [item.counts.get(day, 0) for item in series]
    lines = [f"{day_text(day)}: {counted(sum(counts), unit)}"]
    if len(series) > 1:
        lines.append(
            ", ".join(f"{count_text(c)} {s.label}" for c, s in zip(counts, series, strict=True))
        )
    return lines


def _day_open(day: date, said: list[str], left: float, column: float, bottom: float) -> str:
    """A day's group, left open for its bars: its tooltip, its readout (hidden until pointed
    at; a line per line said, baselines 14 px into each) and its area."""
    band = READOUT_LINE * len(said)
    title = said[0] + "".join(f" ({line})" for line in said[1:])
    lines = "".join(
        f'<tspan x="0" y="{14 + READOUT_LINE * index}">{_e(line)}</tspan>'
        for index, line in enumerate(said)
    )
    return (
        f'<g class="day" data-day="{day.isoformat()}" tabindex="-1">'
        f"<title>{_e(title)}</title>"
        f'<g class="readout"><rect class="readout-bg" x="0" y="0" width="100%" '
        f'height="{band}"/><text>{lines}</text></g>'
        f'<rect class="hit" x="{_pct(left)}" y="{band + TOP}" width="{_pct(column)}" '
        f'height="{_px(bottom - band - TOP)}"/>'
    )


def day_bars(
    series: Sequence[Series], span: DaySpan | None, *, unit: str, label: str, height: int = 300
) -> str:
    """Counts per day as bars, the series stacked in order from the bottom up.

    ``unit`` names what is counted ("install"); ``label`` is the chart's accessible name.
    Without a span (no data yet) it says so instead.
    """
    if span is None:
        return _empty("days", label, f"No {unit}s counted yet.")
    top = READOUT_LINE * (2 if len(series) > 1 else 1) + TOP
    bottom = height - DAY_AXIS
    scale = _CountScale(
        max((sum(s.counts.get(day, 0) for s in series) for day in span.days()), default=0)
    )
    column, offset = _columns(span)
    share = BAR_SHARE if span.length <= GAPS_UP_TO_DAYS else 1.0
    body = _legend(series) if len(series) > 1 else []
    body += _count_axis_left(scale, top, bottom)
    body.append('<g class="plot">')
    for index, day in enumerate(span.days()):
        left = offset + index * column
        body.append(_day_open(day, _day_said(day, series, unit), left, column, bottom))
        base: float = bottom
        for item in series:
            count = item.counts.get(day, 0)
            if count <= 0:
                continue
            tall = max(scale.share(count) * (bottom - top), MIN_BAR_PX)
            base -= tall
            body.append(
                f'<rect class="bar {_e(item.css)}" data-count="{count}" '
                f'x="{_pct(left + column * (1 - share) / 2)}" y="{_px(base)}" '
                f'width="{_pct(column * share)}" height="{_px(tall)}"/>'
            )
        body.append("</g>")
    body.append("</g>")
    body += _day_axis(span, column, offset, bottom)
    return _svg("days", label, height, body)


def day_line(
    counts: Mapping[date, int],
    span: DaySpan | None,
    *,
    unit: str,
    label: str,
    css: str,
    height: int = 220,
) -> str:
    """Counts per day as a line (with a marker per day up to MARKER_DAYS days)."""
    if span is None:
        return _empty("days", label, f"No {unit}s counted yet.")
    top = READOUT_LINE + TOP
    bottom = height - DAY_AXIS
    scale = _CountScale(max((counts.get(day, 0) for day in span.days()), default=0))
    column, offset = _columns(span)
    body = _count_axis_left(scale, top, bottom)
    points = []
    body.append('<g class="plot">')
    for index, day in enumerate(span.days()):
        count = counts.get(day, 0)
        left = offset + index * column
        points.append((left + column / 2, bottom - scale.share(count) * (bottom - top)))
        said = [f"{day_text(day)}: {counted(count, unit)}"]
        body.append(_day_open(day, said, left, column, bottom) + "</g>")
    # The line over the days' areas, letting the pointer through to them.
    body.append(f'<g class="series {_e(css)}">')
    for (x1, y1), (x2, y2) in pairwise(points):
        body.append(
            f'<line class="line" x1="{_pct(x1)}" y1="{_px(y1)}" x2="{_pct(x2)}" y2="{_px(y2)}"/>'
        )
    if span.length <= MARKER_DAYS:
        body += [f'<circle class="marker" cx="{_pct(x)}" cy="{_px(y)}" r="3"/>' for x, y in points]
    body.append("</g></g>")
    body += _day_axis(span, column, offset, bottom)
    return _svg("days", label, height, body)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def category_bars(counts: Mapping[str, int], *, unit: str, label: str, css: str) -> str:
    """One horizontal bar per category, top to bottom in the order given (the caller's
    order: Python versions in version order, the rest by count)."""
    if not counts:
        return _empty("categories", label, f"No {unit}s counted yet.")
    scale = _CountScale(max(counts.values()))
    bottom = TOP + ROW * len(counts)
    body = ['<g class="x-axis">']
    for value, minor in zip(scale.ticks, narrow_minor(len(scale.ticks)), strict=True):
        x = _pct(scale.share(value) * 100)
        body.append(
            f'<line class="grid{" base" if value == 0 else ""}" x1="{x}" x2="{x}" '
            f'y1="{_px(TOP)}" y2="{_px(bottom)}"/>'
            f'<text class="x-tick{" minor" if minor else ""}" data-value="{value}" x="{x}" '
            f'y="{_px(bottom + 17)}" text-anchor="middle">{count_text(value)}</text>'
        )
    body.append(f'</g><g class="plot {_e(css)}">')
    for index, (name, count) in enumerate(counts.items()):
        y = TOP + index * ROW
        bar_y = y + (ROW - CATEGORY_BAR) / 2
        length = scale.share(count)
        inside = length > COUNT_INSIDE
        body.append(
            f'<g class="row"><title>{_e(f"{name}: {counted(count, unit)}")}</title>'
            f'<rect class="hit" x="0" y="{_px(y)}" width="100%" height="{ROW}"/>'
            f'<text class="label" x="-8" y="{_px(y + ROW / 2)}" dy="0.32em" '
            f'text-anchor="end">{_e(_short(name))}</text>'
            f'<rect class="bar" data-count="{count}" x="0" y="{_px(bar_y)}" '
            f'width="{_pct(length * 100)}" height="{CATEGORY_BAR}"/>'
            f'<text class="count{" inside" if inside else ""}" '
            f'x="{_pct(length * 100)}" dx="{-6 if inside else 6}" y="{_px(y + ROW / 2)}" '
            f'dy="0.32em" text-anchor="{"end" if inside else "start"}">{count_text(count)}</text>'
            "</g>"
        )
    body.append("</g>")
    return _svg("categories", label, bottom + COUNT_AXIS, body)
