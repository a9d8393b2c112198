"""The Typer application object and the consoles every command shares."""

from __future__ import annotations

import inspect
import re
from enum import Enum

import typer
from rich.console import Console
from typer.models import OptionInfo

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


#: Option names whose value is a folder, not a file.
_FOLDER_WORDS = ("dir", "out", "workdir", "dist")


def _metavar(annotation: str, option: str) -> str | None:
    """The placeholder help shows for an option's value, in the convention pip, twine and
    click use (``--requirement FILE``, ``--top N``) instead of the type's name (``<str>``),
    or None for a flag.

    >>> _metavar("int | None", "--top"), _metavar("Path", "--out"), _metavar("str", "--rate")
    ('N', 'DIR', 'RATE')
    >>> _metavar("str | None", "--repository-url"), _metavar("bool", "--offline")
    ('URL', None)
    """
    kinds = set(re.findall(r"[A-Za-z_]+", annotation))
    if "bool" in kinds:
        return None
    if "int" in kinds:
        return "N"
    if "float" in kinds:
        return "SECONDS" if option.endswith(("timeout", "interval")) else "NUMBER"
    word = option.lstrip("-")
    if "Path" in kinds:
        return "DIR" if word.split("-")[-1] in _FOLDER_WORDS else "FILE"
    if word.endswith("url"):
        return "URL"
    return word.split("-")[-1].upper()


def name_option_values(group: typer.Typer) -> None:
    """Give every option of every command a metavar that says what its value is (see
    :func:`_metavar`), unless it declares its own."""
    for command in group.registered_commands:
        if command.callback is None:
            continue
        try:
            resolved = inspect.get_annotations(command.callback, eval_str=True)
        except (NameError, TypeError):  # an annotation only importable for type checking
            resolved = {}
        for parameter in inspect.signature(command.callback).parameters.values():
            info = parameter.default
            kind = resolved.get(parameter.name)
            if isinstance(kind, type) and issubclass(kind, Enum):
                continue  # click lists an Enum's choices itself: table|json
            if isinstance(info, OptionInfo) and info.metavar is None:
                long = next(
                    (d for d in info.param_decls or () if d.startswith("--")),
                    "--" + parameter.name.replace("_", "-"),
                )
                info.metavar = _metavar(str(parameter.annotation), long)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            name_option_values(sub.typer_instance)
