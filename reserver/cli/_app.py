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
    # -h as well as --help, as pip, twine and uv accept.
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)


def usage_error(message: str) -> typer.Exit:
    """Print ``error: message`` and give the exit that says the run itself failed (2), as
    opposed to 1, a finding (check, watch)."""
    console_err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(2)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("reserver")
        except PackageNotFoundError:  # run from a source tree that was never installed
            from .. import __version__ as found
        typer.echo(f"reserver {found}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(
        False,
        "--version",
        "-V",
        is_eager=True,
        callback=_show_version,
        help="Show the version and exit.",
    ),
) -> None:
    """Reserve the package names people mistype, with placeholders that fail helpfully."""
