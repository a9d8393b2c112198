"""``reserver export``: names to prohibit, for registry administrators and private indexes."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from .._files import write_atomic
from ..errors import ReserverError
from ..plan.jsonfile import load_plan
from ._app import app
from ._options import OUTPUT
from ._output import format_option

logger = logging.getLogger(__name__)

#: reserver.guard.export.FORMATS, written out: importing the guard here would slow every
#: command's start (tests/guard/test_export.py keeps the two equal).
EXPORT_FORMATS = ("prohibited-csv", "txt", "json")


@app.command("export")
def export_command(
    plan: Path | None = typer.Argument(None, help="A plan file to export."),
    from_ledger: Path | None = typer.Option(
        None, "--from-ledger", help="Export the names a ledger holds instead of a plan."
    ),
    repository: str | None = typer.Option(
        None, "--repository", help="With --from-ledger: only this repository's names."
    ),
    output_format: str = format_option(
        EXPORT_FORMATS, "prohibited-csv (name, comment, target), txt (one name a line) or json."
    ),
    output: Path | None = OUTPUT,
) -> None:
    """Export names and reasons for an administrator's prohibited list or a block-list."""
    from ..guard.export import entries_from_ledger, entries_from_plan, render

    if (plan is None) == (from_ledger is None):
        raise typer.BadParameter("give a PLAN file or --from-ledger LEDGER (one of them)")
    if plan is not None:
        entries = entries_from_plan(load_plan(plan))
    else:
        assert from_ledger is not None
        entries = entries_from_ledger(from_ledger, repository)
    if not entries:
        raise ReserverError("nothing to export: every name is taken or already refused")
    logger.info("%d names to export from %s", len(entries), plan or from_ledger)
    text = render(entries, output_format)
    if output is not None:
        write_atomic(output, text.encode())
        logger.info("wrote %s", output)
    else:
        typer.echo(text, nl=False)
