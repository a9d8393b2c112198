"""``reserver generate``: show which names the engine would reserve for the given targets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .._files import write_atomic
from ._app import app, console
from ._options import OUTPUT
from ._output import csv_text, format_option, info
from ._selection_options import SelectionArgs

if TYPE_CHECKING:
    from rich.table import Table

    from ..selection.model import SelectedName, Selection

FORMATS = ("table", "json", "csv")
CSV_FIELDS = ("name", "target", "kind", "category", "score", "status", "reason", "edit", "steps")


def render_json(selection: Selection, explain: bool) -> str:
    """The selection as a JSON list, selected names per target first, then blocked and taken."""
    return json.dumps([row.to_dict(explain) for row in selection.names], indent=2) + "\n"


def render_csv(selection: Selection, explain: bool) -> str:
    """The selection as CSV with a header row."""
    fields = (*CSV_FIELDS, "explain") if explain else CSV_FIELDS
    return csv_text(fields, (row.to_dict(explain) for row in selection.names))


def _columns(explain: bool) -> tuple[str, ...]:
    return ("name", "target", "kind", "score", "status", "explain" if explain else "reason")


def _cells(row: SelectedName, explain: bool) -> tuple[str, ...]:
    # One row of the table, in the columns of _columns, on a terminal and in a file alike.
    reason = row.explain if explain else row.reason
    return (row.name, row.target or "-", row.kind, f"{row.score:.3g}", row.status, reason)


def _table(selection: Selection, explain: bool) -> Table:
    from rich.table import Table

    table = Table(title=f"rules: {selection.profile.name}", show_lines=False)
    for column in _columns(explain):
        table.add_column(column, overflow="fold")
    for row in selection.names:
        table.add_row(*_cells(row, explain))
    return table


@app.command("generate")
def generate_command(
    *,
    selection_args: SelectionArgs,
    output_format: str = format_option(FORMATS),
    explain: bool = typer.Option(False, "--explain", help="Say why each name was chosen."),
    output: Path | None = OUTPUT,
) -> None:
    """List the names to reserve for TARGETs, likeliest first, then the blocked ones."""
    # Imported here: the selection engine is about 50 ms of imports that check,
    # watch and the other commands never use.
    from ..selection.run import run_selection

    request = selection_args.request(explain=explain)
    selection = run_selection(request)
    if output_format == "table" and output is None:
        console.print(_table(selection, explain))
        return
    if output_format == "table":
        # In a file the table is tab-separated, under a header naming its columns as the
        # terminal's table does (a file of bare rows left the reader to guess them).
        lines = [_columns(explain), *(_cells(row, explain) for row in selection.names)]
        text = "".join("\t".join(line) + "\n" for line in lines)
    elif output_format == "json":
        text = render_json(selection, explain)
    else:
        text = render_csv(selection, explain)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text.encode())
        info(f"wrote {output}: {len(selection.names)} names")
