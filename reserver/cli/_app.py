"""The Typer application object and the consoles every command shares."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="reserver",
    help="Reserve the package names people mistype, with placeholders that fail helpfully.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)
