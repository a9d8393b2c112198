"""Lists for registry administrators and private indexes: names to prohibit, with reasons.

Instead of anyone holding a placeholder, an administrator can prohibit the names outright;
a private index or proxy can refuse them. Taken names are left out (someone owns them) and
so are names the registry already refused.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReserverError
from ..names.normalize import canonicalize, first_of_each
from ..plan.model import Plan, PlanEntry, describe

EXPORT_FORMAT = "reserver-export/1"
FORMATS = ("prohibited-csv", "txt", "json")


@dataclass(frozen=True)
class ExportEntry:
    """One name to prohibit."""

    name: str
    target: str | None
    """The package people mean when they type ``name``; None for stdlib and ledger names."""
    comment: str
    """Why, in words an administrator can paste into their tool."""


def _comment(entry: PlanEntry, holder: str) -> str:
    text = describe(entry)
    if entry.category == "typo":
        text += f" ({entry.kind})"
    elif entry.category == "import":
        text += f"; install {entry.target} instead"
    elif entry.category == "removed" and entry.replacement:
        text += f"; use {entry.replacement}"
    return f"{text}; listed by {holder}" if holder else text


def entries_from_plan(plan: Plan) -> list[ExportEntry]:
    """Every plan entry someone could still register: not taken, not already refused."""
    return [
        ExportEntry(e.name, e.target, _comment(e, plan.holder.name))
        for e in plan.entries
        if e.status not in ("taken", "blocked")
    ]


def entries_from_ledger(path: Path, repository: str | None = None) -> list[ExportEntry]:
    """Names the ledger holds or is about to hold (not taken by others, not refused)."""
    from ..publish.ledger import Ledger, LedgerState

    if not path.exists():
        raise ReserverError(f"{path}: no ledger here")
    skip = {LedgerState.TAKEN, LedgerState.REFUSED}
    with Ledger(path, create=False) as ledger:
        rows = ledger.rows(repository)
    entries: list[ExportEntry] = []
    for row in rows:
        if row.state in skip:
            continue
        where = f" on {row.repository}" if repository is None else ""
        entries.append(ExportEntry(row.display_name, None, f"held by a reserver placeholder"
                                   f" ({row.state.value}{where})"))  # fmt: skip
    return entries


def render(entries: Sequence[ExportEntry], fmt: str) -> str:
    """The list in one of ``FORMATS``."""
    unique = first_of_each(entries, lambda entry: entry.name)
    if fmt == "prohibited-csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["name", "comment", "target"])
        for e in unique:
            writer.writerow([canonicalize(e.name), e.comment, e.target or ""])
        return buffer.getvalue()
    if fmt == "txt":
        return "".join(f"{canonicalize(e.name)}\n" for e in unique)
    if fmt == "json":
        document = {
            "format": EXPORT_FORMAT,
            "names": [
                {"name": e.name, "canonical": canonicalize(e.name), "target": e.target,
                 "comment": e.comment}
                for e in unique
            ],
        }  # fmt: skip
        return json.dumps(document, indent=2) + "\n"
    raise ReserverError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")
