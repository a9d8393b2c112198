"""The chart module alone (pure): ticks for a day, a week and a year, whole counts, escaped
text, empty data. The browser tests (test_dashboard_browser.py) look at the same charts drawn."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from itertools import pairwise

import pytest

from reserver.stats.charts import (
    DaySpan,
    Series,
    category_bars,
    count_ticks,
    day_bars,
    day_line,
    day_ticks,
)
from reserver.stats.charts.axes import MAX_COUNT_INTERVALS, MAX_DAY_TICKS, NARROW_TICKS
from reserver.stats.window import picked, range_links

SVG = "{http://www.w3.org/2000/svg}"
LAST = date(2026, 3, 14)


def span_of(days: int) -> DaySpan:
    return DaySpan(LAST - timedelta(days=days - 1), LAST)


def parsed(svg: str) -> ET.Element:
    """The markup as XML: it must be well-formed for every input, or text broke out."""
    return ET.fromstring(svg)


def texts(root: ET.Element, tag: str) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(SVG + tag)]


def test_one_day_has_one_tick_on_that_day_with_its_year() -> None:
    [tick] = day_ticks(span_of(1))
    assert (tick.day, tick.label, tick.year, tick.minor) == (LAST, "Mar 14", "2026", False)


def test_a_week_has_a_tick_per_day_and_phones_keep_the_latest() -> None:
    ticks = day_ticks(span_of(7))
    assert [t.day for t in ticks] == list(span_of(7).days())
    shown_on_phones = [t.day for t in ticks if not t.minor]
    assert len(shown_on_phones) <= NARROW_TICKS and shown_on_phones[-1] == LAST


@pytest.mark.parametrize("days", [365, 366, 730])
def test_a_year_is_ticked_on_firsts_of_months_at_most_eight(days: int) -> None:
    span = span_of(days)
    ticks = day_ticks(span)
    assert 3 <= len(ticks) <= MAX_DAY_TICKS
    assert all(t.day.day == 1 and span.first <= t.day <= span.last for t in ticks)
    assert all(re.fullmatch(r"[A-Z][a-z]{2}", t.label) for t in ticks)  # "May", never a time
    # The year is written under the first tick phones show too, then where it changes.
    with_year = [t for t in ticks if t.year]
    assert with_year[0] == next(t for t in ticks if not t.minor)
    assert [t.year for t in with_year] == sorted({str(t.day.year) for t in ticks if not t.minor})
    assert all(not t.minor for t in with_year)


@pytest.mark.parametrize("days", [1, 2, 7, 8, 14, 15, 30, 56, 57, 90, 113, 240, 365, 3650])
def test_day_ticks_are_whole_days_inside_the_span_and_few(days: int) -> None:
    span = span_of(days)
    ticks = day_ticks(span)
    assert 1 <= len(ticks) <= MAX_DAY_TICKS
    assert all(type(t.day) is date and span.first <= t.day <= span.last for t in ticks)
    assert [t.day for t in ticks] == sorted({t.day for t in ticks})
    assert all(":" not in t.label and "." not in t.label for t in ticks)
    assert 1 <= sum(not t.minor for t in ticks) <= NARROW_TICKS


@pytest.mark.parametrize("most", [0, 1, 2, 3, 7, 10, 11, 99, 101, 12_345, 9_999_999])
def test_count_ticks_are_whole_start_at_zero_and_cover_the_most(most: int) -> None:
    ticks = count_ticks(most)
    assert ticks[0] == 0 and ticks[-1] >= max(most, 1)
    assert all(isinstance(t, int) for t in ticks)
    steps = {b - a for a, b in pairwise(ticks)}
    assert len(steps) == 1 and steps.pop() >= 1
    assert len(ticks) - 1 <= MAX_COUNT_INTERVALS


def test_daily_bars_stack_the_series_and_label_whole_days_and_counts() -> None:
    span = span_of(7)
    interactive = Series("interactive", "interactive", {LAST: 101, LAST - timedelta(days=2): 3})
    ci = Series("CI / automation", "ci", {LAST: 3})
    root = parsed(day_bars([interactive, ci], span, unit="install", label="Per day"))
    days = root.findall(f".//{SVG}g[@class='day']")
    assert [d.get("data-day") for d in days] == [d.isoformat() for d in span.days()]
    titles = texts(root, "title")
    assert titles[-1] == "Mar 14, 2026: 104 installs (101 interactive, 3 CI / automation)"
    assert titles[-2] == "Mar 13, 2026: 0 installs (0 interactive, 0 CI / automation)"
    assert [b.get("data-count") for b in days[-1].iter(SVG + "rect") if b.get("data-count")] == [
        "101",
        "3",
    ]
    counts = [e.get("data-value") for e in root.iter(SVG + "text") if e.get("class") == "y-tick"]
    assert counts and all(c is not None and c.isdigit() for c in counts)
    assert "Mar 14" in texts(root, "tspan")


def test_a_days_readout_says_the_total_then_the_split_and_a_tap_can_focus_it() -> None:
    interactive = Series("interactive", "interactive", {LAST: 1234})
    ci = Series("CI / automation", "ci", {LAST: 1})
    root = parsed(day_bars([interactive, ci], span_of(1), unit="install", label="x"))
    [day] = root.findall(f".//{SVG}g[@class='day']")
    assert day.get("tabindex") == "-1"  # focus on a tap, no stop in the tab order
    [readout] = day.findall(f"{SVG}g[@class='readout']")
    assert texts(readout, "tspan") == [
        "Mar 14, 2026: 1,235 installs", "1,234 interactive, 1 CI / automation",
    ]  # fmt: skip


def test_bars_are_as_tall_as_their_counts() -> None:
    series = Series("installs", "total", {LAST: 40, LAST - timedelta(days=1): 10})
    root = parsed(day_bars([series], span_of(2), unit="install", label="x", height=300))
    heights = {
        int(r.get("data-count") or 0): float(r.get("height") or 0)
        for r in root.iter(SVG + "rect")
        if r.get("data-count")
    }
    assert heights[40] == pytest.approx(4 * heights[10])


def test_one_name_has_one_series_and_no_legend() -> None:
    svg = day_bars([Series("installs", "total", {LAST: 1})], span_of(1), unit="install", label="x")
    root = parsed(svg)
    assert texts(root, "title") == ["Mar 14, 2026: 1 install"]
    assert root.find(f".//{SVG}g[@class='legend']") is None


def test_the_line_has_a_point_per_day_and_says_each_count() -> None:
    counts = {LAST: 17, LAST - timedelta(days=2): 1}
    root = parsed(day_line(counts, span_of(3), unit="unique source", label="x", css="sources"))
    assert texts(root, "title") == [
        "Mar 12, 2026: 1 unique source",
        "Mar 13, 2026: 0 unique sources",
        "Mar 14, 2026: 17 unique sources",
    ]
    assert len(root.findall(f".//{SVG}line[@class='line']")) == 2
    assert len(root.findall(f".//{SVG}circle")) == 3


def test_categories_keep_the_order_given() -> None:
    counts = {"3.9": 2, "3.10": 1, "3.12": 1, "3.13": 1}
    root = parsed(category_bars(counts, unit="install", label="Python", css="python"))
    labels = [e.text for e in root.iter(SVG + "text") if e.get("class") == "label"]
    assert labels == ["3.9", "3.10", "3.12", "3.13"]
    assert texts(root, "title")[0] == "3.9: 2 installs"
    counts = [e.text for e in root.iter(SVG + "text") if "count" in (e.get("class") or "")]
    assert counts == ["2", "1", "1", "1"]  # beside each bar, for screens without tooltips
    ticks = [e.text or "" for e in root.iter(SVG + "text") if "x-tick" in (e.get("class") or "")]
    assert ticks and all(t.replace(",", "").isdigit() for t in ticks)


HOSTILE = ["<script>alert(1)</script>", "a & b", '" onmouseover="x', "it's </svg><img src=x>"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_from_the_data_never_breaks_out_of_the_svg(text: str) -> None:
    drawn = [
        category_bars({text: 3}, unit="install", label=text, css=text),
        day_bars([Series(text, text, {LAST: 2})] * 2, span_of(1), unit=text, label=text),
        day_line({LAST: 2}, span_of(1), unit=text, label=text, css=text),
    ]
    for svg in drawn:
        root = parsed(svg)  # well-formed: nothing closed the SVG early or opened a tag
        assert {e.tag.removeprefix(SVG) for e in root.iter()} <= {
            "svg", "g", "title", "rect", "text", "tspan", "line", "circle",
        }  # fmt: skip
        assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)
        assert root.get("aria-label") == text
        assert any(text in t for t in texts(root, "title"))  # whole, as the reader sees it
        assert "<script" not in svg and "<img" not in svg


def test_empty_data_says_so() -> None:
    for svg in (
        day_bars([Series("installs", "total", {})], None, unit="install", label="x"),
        day_line({}, None, unit="install", label="x", css="sources"),
        category_bars({}, unit="install", label="x", css="python"),
    ):
        assert texts(parsed(svg), "text") == ["No installs counted yet."]


def test_long_labels_are_cut_and_whole_in_the_tooltip() -> None:
    name = "a-very-long-installer-name"
    root = parsed(category_bars({name: 1}, unit="install", label="x", css="installer"))
    [label] = [e.text for e in root.iter(SVG + "text") if e.get("class") == "label"]
    assert label is not None and len(label) == 14 and label.endswith("…")
    assert texts(root, "title") == [f"{name}: 1 install"]


def test_a_picked_range_is_never_wider_than_the_data() -> None:
    data = span_of(365)
    assert picked(data, "1900-01-01", "2999-12-31") == data
    assert picked(data, "2026-03-08", None) == span_of(7)
    assert picked(data, "2030-01-01", None) == data  # no day of data in it: all of them
    assert picked(data, "<script>", "'; drop") == data
    assert picked(None, "2026-03-08", None) is None


def test_range_links_mark_the_range_shown() -> None:
    data = span_of(365)
    links = range_links(data, span_of(30))
    assert [(link.label, link.current) for link in links] == [
        ("7 days", False), ("30 days", True), ("90 days", False), ("all", False),
    ]  # fmt: skip
    assert links[0].query == "from=2026-03-08" and links[-1].query == ""
    assert [link.label for link in range_links(span_of(20), span_of(20))] == ["7 days", "all"]
    assert range_links(span_of(7), span_of(7)) == []
