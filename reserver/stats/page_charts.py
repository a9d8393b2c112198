"""The charts of the dashboard and of a name's page, from the numbers the pages already read.

The drawing is ``charts``' (pure); this module picks what each chart shows and how it is
worded, and hands the pages markup their templates insert as it is (``charts`` has escaped
every text in it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from markupsafe import Markup

from .charts import DaySpan, Series, category_bars, day_bars, day_line
from .store import DailyRow

#: What the per-day charts count, as their tooltips say it ("3 installs").
INSTALL = "install"


def _breakdowns(numbers: Mapping[str, Any], which: Sequence[str]) -> dict[str, Markup]:
    labels = {
        "installer": "Installs by installer",
        "python": "Installs by Python version",
        "category": "Installs by category",
    }
    return {
        key: Markup(category_bars(numbers[f"by_{key}"], unit=INSTALL, label=labels[key], css=key))
        for key in which
    }


def dashboard_charts(
    daily: Sequence[DailyRow], summary: Mapping[str, Any], span: DaySpan | None
) -> dict[str, Markup]:
    """The dashboard's charts: per day (``span``'s days) and by installer, Python, category."""
    series = [
        Series("interactive", "interactive", {row.day: row.interactive for row in daily}),
        Series("CI / automation", "ci", {row.day: row.ci for row in daily}),
    ]
    sources = {row.day: row.unique_sources or 0 for row in daily}
    return {
        "daily": Markup(day_bars(series, span, unit=INSTALL, label="Blocked installs per day")),
        "sources": Markup(
            day_line(
                sources, span, unit="unique source", label="Unique sources per day", css="sources"
            )
        ),
        **_breakdowns(summary, ("installer", "python", "category")),
    }


def name_charts(detail: Mapping[str, Any], span: DaySpan | None) -> dict[str, Markup]:
    """One name's charts: its installs per day (``span``'s days), by installer and Python."""
    totals = {date.fromisoformat(d["day"]): d["total"] for d in detail["daily"]}
    series = [Series("installs", "total", totals)]
    return {
        "daily": Markup(
            day_bars(
                series, span, unit=INSTALL, label=f"Blocked installs of {detail['name']} per day"
            )
        ),
        **_breakdowns(detail, ("installer", "python")),
    }
