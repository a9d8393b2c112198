"""The numbers the dashboard shows and the API exports, computed once so both always agree."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .schema import RegisteredName
from .store import DailyRow, StatsStore

STDLIB_TARGET = "(standard library)"
PRIVATE_TARGET = "(private package)"


def _sorted_counts(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _version_key(version: str) -> tuple[tuple[int, ...], str]:
    # "3.9" before "3.10": numbers as numbers; anything else after, as text.
    parts = version.split(".")
    if all(part.isdigit() for part in parts):
        return tuple(int(part) for part in parts), ""
    return (10**9,), version


def _by_version(counts: dict[str, int]) -> dict[str, int]:
    """Python versions in version order (a chart's axis), not by count or as text."""
    return dict(sorted(counts.items(), key=lambda item: _version_key(item[0])))


def target_of(entry: RegisteredName | None) -> str:
    """What the user meant: the target, a removed module's replacement, or the stdlib."""
    if entry is None:
        return "(unregistered)"
    if entry.category == "internal":
        return PRIVATE_TARGET
    if entry.target:
        return entry.target
    if entry.category == "removed" and entry.replacement:
        return entry.replacement
    return STDLIB_TARGET


def summary(store: StatsStore, names: dict[str, RegisteredName]) -> dict[str, Any]:
    """All-time totals: ``{"total": N, "by_name": {...}, "by_target": {...}, ...}``."""
    totals = store.totals()
    by_key = totals.get("name", {})
    by_name: dict[str, int] = {}
    by_target: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for key, count in by_key.items():
        entry = names.get(key)
        shown = entry.name if entry is not None else key
        by_name[shown] = by_name.get(shown, 0) + count
        target = target_of(entry)
        by_target[target] = by_target.get(target, 0) + count
        category = entry.category if entry is not None else "unregistered"
        by_category[category] = by_category.get(category, 0) + count
    ci = totals.get("ci", {})
    return {
        "total": totals.get("all", {}).get("", 0),
        "by_name": _sorted_counts(by_name),
        "by_target": _sorted_counts(by_target),
        "by_category": _sorted_counts(by_category),
        "by_installer": _sorted_counts(totals.get("installer", {})),
        "by_python": _by_version(totals.get("python", {})),
        "by_ci": {"ci": ci.get("ci", 0), "interactive": ci.get("interactive", 0)},
        "rejected": _sorted_counts(store.rejected()),
        "registered_names": len(names),
    }


def daily_json(rows: list[DailyRow]) -> list[dict[str, Any]]:
    return [{**asdict(row), "day": row.day.isoformat()} for row in rows]


def name_detail(store: StatsStore, entry: RegisteredName, total: int) -> dict[str, Any]:
    """One reserved name: what it stands for, its total, per-day counts and breakdowns."""
    breakdown = store.breakdown(entry.key)
    return {
        "name": entry.name,
        "target": target_of(entry),
        "category": entry.category,
        "total": total,
        "by_installer": _sorted_counts(breakdown["installer"]),
        "by_python": _by_version(breakdown["python"]),
        "by_ci": {
            "ci": breakdown["ci"].get("ci", 0),
            "interactive": breakdown["ci"].get("interactive", 0),
        },
        "daily": [
            {"day": row.day.isoformat(), "total": row.total} for row in store.daily(name=entry.key)
        ],
    }
