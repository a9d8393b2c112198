"""``reserver status``: what the ledger says: counts by state, time left, and the names
taken by others, refused by the registry or failing, each with the registry's words."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..plan.jsonfile import load_plan
from ._app import app, console
from ._options import LEDGER
from ._output import Verbosity, csv_text, format_option, info, verbosity
from ._upload_options import credentials_for

if TYPE_CHECKING:
    from ..publish.ledger import LedgerRow, LedgerSummary

logger = logging.getLogger(__name__)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


#: States whose names a reader wants listed: someone else's squat to report, the
#: registry's refusal, an error to look at.
LISTED = ("taken", "refused", "failed")
#: How many such names the table shows per state (-v, JSON and CSV list them all).
SHOWN = 20
#: CSV has a row per name of the ledger (of the plan, when one is given), in every state.
CSV_FIELDS = ("repository", "name", "state", "reason", "attempts")


def _listed(rows: list[LedgerRow]) -> list[dict[str, str]]:
    return [
        {"name": row.display_name, "state": row.state.value,
         "reason": row.reason or row.last_error}
        for row in rows
        if row.state.value in LISTED
    ]  # fmt: skip


def _as_json(summary: LedgerSummary, rows: list[LedgerRow]) -> dict[str, object]:
    return {
        "names": _listed(rows),
        "repository": summary.repository,
        "counts": summary.counts,
        "remaining": summary.remaining,
        "rate": summary.rate or None,
        "eta_seconds": None if summary.eta_seconds is None else round(summary.eta_seconds, 1),
        "last_errors": [
            {
                "name": row.display_name,
                "state": row.state.value,
                "error": row.last_error,
                "attempts": row.attempts,
            }
            for row in summary.last_errors
        ],
    }


def _csv_rows(rows: list[LedgerRow]) -> list[dict[str, object]]:
    return [
        {"repository": row.repository, "name": row.display_name, "state": row.state.value,
         "reason": row.reason or row.last_error, "attempts": row.attempts}
        for row in rows
    ]  # fmt: skip


def _print_table(summary: LedgerSummary, rows: list[LedgerRow]) -> None:
    from rich.table import Table

    table = Table(title=summary.repository, title_justify="left")
    table.add_column("state")
    table.add_column("names", justify="right")
    for state, count in summary.counts.items():
        table.add_row(state, str(count))
    console.print(table)
    pace = summary.rate or "unpaced"
    console.print(f"remaining {summary.remaining}, ETA {_duration(summary.eta_seconds)} ({pace})")
    listed = _listed(rows)
    shown = None if verbosity() >= Verbosity.VERBOSE else SHOWN
    for state in LISTED:
        named = [item for item in listed if item["state"] == state]
        if not named:
            continue
        console.print(f"{state}:", markup=False)
        for item in named[:shown]:
            console.print(f"  {item['name']}: {item['reason']}", markup=False)
        if shown is not None and len(named) > shown:
            console.print(f"  ... {len(named) - shown} more (-v or --format json lists all)")


@app.command("status")
def status_command(
    plan_file: Path | None = typer.Argument(None, help="Only the names of this plan."),
    ledger: Path = LEDGER,
    repository_url: str | None = typer.Option(
        None, "--repository-url", help="Only this upload endpoint."
    ),
    repository: str | None = typer.Option(
        None, "--repository", help="Only this repository name from .pypirc."
    ),
    output_format: str = format_option(
        ("table", "json", "csv"),
        "table for people; json or csv (a row per name) for scripts.",
    ),
) -> None:
    """Show where a batch stands: names per state, time left at the current rate, errors."""
    from ..publish.ledger import Ledger
    from ..publish.twine_upload import resolve_repository_url

    names = None
    if plan_file is not None:
        names = [entry.name for entry in load_plan(plan_file).buildable()]
    wanted = None
    if repository_url or repository:
        wanted = resolve_repository_url(credentials_for(repository_url, repository))
    with Ledger(ledger, create=False) as opened:
        repositories = [wanted] if wanted else sorted(opened.repositories())
        of_plan = "" if names is None else f", the {len(names)} names of {plan_file}"
        logger.info("%s: repositories: %d%s", ledger, len(repositories), of_plan)
        summaries = [opened.summary(url, names) for url in repositories]
        chosen = None if names is None else set(names)
        rows = [
            [r for r in opened.rows(url) if chosen is None or r.display_name in chosen]
            for url in repositories
        ]
    if output_format == "json":
        report = [_as_json(s, r) for s, r in zip(summaries, rows, strict=True)]
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    if output_format == "csv":
        sys.stdout.write(csv_text(CSV_FIELDS, _csv_rows([r for named in rows for r in named])))
        return
    if not summaries:
        info(f"{ledger}: no batch recorded yet")
    for summary, named in zip(summaries, rows, strict=True):
        _print_table(summary, named)
