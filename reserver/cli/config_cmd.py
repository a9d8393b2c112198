"""``reserver config``: the effective configuration and where each value came from."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..config import resolve
from ._app import app, console
from ._output import format_option


@app.command("config")
def config_command(
    config_file: Path | None = typer.Option(
        None, "--config", help="A reserver.toml or pyproject.toml (default: the current folder's)."
    ),
    output_format: str = format_option(("table", "json")),
) -> None:
    """Show the effective configuration and where each value came from."""
    from rich.table import Table

    config = resolve(config_file=config_file)
    if output_format == "json":
        data = {k: {"value": r.value, "source": r.source} for k, r in config.values.items()}
        console.print_json(json.dumps(data))
        return
    table = Table("key", "value", "source")
    for key, resolved in config.values.items():
        table.add_row(key, repr(resolved.value), resolved.source)
    console.print(table)
