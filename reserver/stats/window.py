"""Which days a page's per-day charts show: all of them, or the range the reader picked.

The range is the page's query (``?from=2026-03-01&to=2026-03-14``), so a picked range is a
plain link: no script, and it can be bookmarked or shared. Pure: dates and text in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from .charts import DaySpan

#: The ranges offered as links, in days up to the latest day with counts: the buttons the
#: dashboard's range selector has always had (7, 30 and 90 days, and all).
PRESETS = (7, 30, 90)


@dataclass(frozen=True)
class RangeLink:
    """One of the links above a per-day chart."""

    label: str
    #: The query that picks it ("" for all days).
    query: str
    #: Whether it is the range shown now.
    current: bool


def _day(text: str | None) -> date | None:
    # A form's empty field, a hand-edited URL: anything that is not a day is no choice.
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def data_span(days: Sequence[date]) -> DaySpan | None:
    """From the first to the last day with counts (None without any)."""
    return DaySpan(min(days), max(days)) if days else None


def picked(data: DaySpan | None, start: str | None, end: str | None) -> DaySpan | None:
    """The days to show: ``data`` narrowed to ``start``..``end`` (days as YYYY-MM-DD).

    Never wider than the data, so a page's size follows what the service has counted, not
    what a URL asks for; a range with no day of data in it shows all of them.

    >>> all_days = DaySpan(date(2026, 1, 1), date(2026, 3, 14))
    >>> picked(all_days, "2026-03-08", None)
    DaySpan(first=datetime.date(2026, 3, 8), last=datetime.date(2026, 3, 14))
    >>> picked(all_days, "2026-03-14", "2026-03-08") == picked(all_days, "2026-03-08", "2026-03-14")
    True
    >>> picked(all_days, "yesterday", "") == all_days
    True
    """
    if data is None:
        return None
    first, last = _day(start), _day(end)
    if first is not None and last is not None and last < first:  # the reader's order aside
        first, last = last, first
    first = max(first or data.first, data.first)
    last = min(last or data.last, data.last)
    return DaySpan(first, last) if first <= last else data


def range_links(data: DaySpan | None, shown: DaySpan | None) -> list[RangeLink]:
    """The preset ranges that differ from all the data, then "all"; none for a week or less."""
    if data is None or shown is None or data.length <= PRESETS[0]:
        return []
    links = []
    for days in PRESETS:
        if days >= data.length:
            break
        first = data.last - timedelta(days=days - 1)
        links.append(RangeLink(
            f"{days} days", urlencode({"from": first.isoformat()}),
            shown == DaySpan(first, data.last),
        ))  # fmt: skip
    return [*links, RangeLink("all", "", shown == data)]
