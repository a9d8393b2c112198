"""The Typer application object, the consoles every command shares, and the help's names
for what options and arguments take."""

from __future__ import annotations

import inspect
import re
from enum import Enum
from typing import Any

import typer
from typer.core import TyperCommand
from typer.models import ArgumentInfo, OptionInfo

from ._options import each_command
from ._output import QUIET, VERBOSE, ask, console, console_err, reset

__all__ = ["app", "console", "console_err", "name_option_values", "usage_error"]

app = typer.Typer(
    name="reserver",
    help="Reserve the package names people mistype, with placeholders that fail helpfully.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # -h as well as --help, as pip, twine and uv accept.
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    quiet: bool = QUIET,
    verbose: int = VERBOSE,
) -> None:
    """Reserve the package names people mistype, with placeholders that fail helpfully."""
    reset()  # runs before every command: one run's -v never carries over to the next
    ask(quiet, verbose)


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


def _argument_metavar(name: str, annotation: str, required: bool) -> str:
    """The placeholder help and usage show for an argument, in click's convention: its name
    in capitals, in brackets when it may be left out, ``...`` when it takes several.

    >>> _argument_metavar("plan_file", "Path", True)
    'PLAN_FILE'
    >>> _argument_metavar("plan", "Path | None", False)
    '[PLAN]'
    >>> _argument_metavar("targets", "list[str] | None", False)
    '[TARGETS]...'
    """
    word = name.upper()
    if not required:
        word = f"[{word}]"
    return word + "..." if re.search(r"\b(list|tuple)\[", annotation) else word


def reflowed(doc: str) -> str:
    r"""A command's docstring as help: each paragraph's lines joined into one, which the
    terminal then wraps at its own width. (Typer's rich help keeps a docstring's line
    breaks, so a paragraph wrapped at 92 columns in the source broke mid-sentence at 80.)
    Paragraphs with an indented or bulleted line keep their lines.

    >>> reflowed("Title.\n\nOne sentence\nwrapped.\n\n- a\n- b")
    'Title.\n\nOne sentence wrapped.\n\n- a\n- b'
    """
    paragraphs = doc.strip().split("\n\n")
    return "\n\n".join(
        p if any(line[:1] in (" ", "-", "*") for line in p.splitlines()) else " ".join(p.split())
        for p in paragraphs
    )


def name_option_values(group: typer.Typer) -> None:
    """Give every option of every command a metavar that says what its value is (see
    :func:`_metavar`), and every argument its name (see :func:`_argument_metavar`), unless it
    declares its own; commands are made as :class:`_Command` (their help has no type
    column for arguments), and their docstrings become help paragraphs the terminal wraps
    (see :func:`reflowed`)."""
    for command in each_command(group):
        if command.callback is None:
            continue
        if command.cls in (None, TyperCommand):  # typer's default, not a command's own
            command.cls = _Command
        if command.help is None and command.callback.__doc__:
            command.help = reflowed(inspect.getdoc(command.callback) or "")
        try:
            resolved = inspect.get_annotations(command.callback, eval_str=True)
        except (NameError, TypeError):  # an annotation only importable for type checking
            resolved = {}
        for parameter in inspect.signature(command.callback).parameters.values():
            info = parameter.default
            kind = resolved.get(parameter.name)
            if isinstance(kind, type) and issubclass(kind, Enum):
                continue  # click lists an Enum's choices itself: table|json
            if isinstance(info, ArgumentInfo) and info.metavar is None:
                info.metavar = _argument_metavar(
                    parameter.name, str(parameter.annotation), info.default is ...
                )
            if isinstance(info, OptionInfo) and info.metavar is None:
                long = next(
                    (d for d in info.param_decls or () if d.startswith("--")),
                    "--" + parameter.name.replace("_", "-"),
                )
                info.metavar = _metavar(str(parameter.annotation), long)


class _Command(TyperCommand):
    """A command whose arguments read as its options do: by their placeholder alone
    (``PLAN_FILE``, as an option reads ``--out DIR``), where typer would add the type's name
    (``<path>``) in the help and braces (``{plan_file}``) in the usage line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.param_type_name == "argument":
                param.type = _NamedByPlaceholder(param.type)  # type: ignore[assignment]

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument" and param.metavar:
                pieces.append(param.metavar)
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


class _NamedByPlaceholder:
    """An argument's type as its help shows it: without a name (the argument's placeholder
    says what it takes); everything else, parsing included, is the wrapped type's.

    A stand-in rather than a subclass: typer up to 0.2x builds on click's types and later
    versions on a copy of click of their own, so no one class can be named for both.
    """

    def __init__(self, kind: Any) -> None:
        self._kind = kind

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kind, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._kind(*args, **kwargs)

    def get_metavar(self, *args: Any, **kwargs: Any) -> str:
        return ""
