"""What every command prints besides its output, and how much: the consoles, ``-q``/``-v``,
the informational lines ``-q`` leaves out, the log lines ``-v`` shows, and ``--format``.

The conventions (README, "Command-line conventions"): standard output carries the command's
output (a table, JSON, CSV, findings) and nothing else in a machine format; ``-q`` leaves
out progress bars and informational lines, never output, warnings or errors; ``-v`` adds the
library's log lines (``reserver.*`` at INFO: each step and name), ``-vv`` its DEBUG lines
and each HTTP request, all on standard error, so that JSON on standard output stays parseable.
"""

from __future__ import annotations

import csv
import functools
import inspect
import io
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import typer
from rich.console import Console

from ..errors import ReserverError, hide_credentials
from ._options import each_command

console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)


class Verbosity(IntEnum):
    """How much a run says besides its output."""

    QUIET = -1
    """``-q``: the output, warnings and errors only."""
    NORMAL = 0
    """Also progress bars and informational lines ("wrote plan.json", "built 4 sdists")."""
    VERBOSE = 1
    """``-v``: also each step and name, the library's INFO log lines."""
    DEBUG = 2
    """``-vv``: also the library's DEBUG lines and each HTTP request."""


QUIET = typer.Option(
    False,
    "--quiet",
    "-q",
    help="Print only the output, warnings and errors: no progress or informational lines.",
)
VERBOSE = typer.Option(
    0,
    "--verbose",
    "-v",
    count=True,
    metavar="",  # a count takes no value: -v, -vv
    show_default=False,
    help="Say more on standard error: each step and name (-v), each request (-vv).",
)


@dataclass
class _Asked:
    """-q and -v as given before the command's name and after it, for this run."""

    quiet: bool = False
    verbose: int = 0


_asked = _Asked()


def reset() -> None:
    """Forget ``-q`` and ``-v`` and leave logging as it was: before a run, and after it for a
    program that runs commands one after another in one process (the tests)."""
    _asked.quiet, _asked.verbose = False, 0
    _show_logs(Verbosity.NORMAL)


def ask(quiet: bool, verbose: int) -> None:
    """Record ``-q``/``-v`` as given before the command's name, then as given after it."""
    _asked.quiet = _asked.quiet or quiet
    _asked.verbose += verbose
    if _asked.quiet and _asked.verbose:
        raise ReserverError("-q and -v exclude each other: give one of them")
    _show_logs(verbosity())


def verbosity() -> Verbosity:
    """How much this run says: NORMAL unless -q or -v was given."""
    if _asked.quiet:
        return Verbosity.QUIET
    return Verbosity(min(_asked.verbose, Verbosity.DEBUG))


def info(message: str, *, stderr: bool = False) -> None:
    """An informational line (what was written, how a run ended): left out with ``-q``. On
    standard output unless ``stderr``: a command whose output is JSON says it on stderr."""
    if verbosity() is not Verbosity.QUIET:
        (console_err if stderr else console).print(message, markup=False, highlight=False)


def accept_verbosity(group: typer.Typer) -> None:
    """Let every command of ``group`` (and of its sub-groups) take ``-q`` and ``-v`` after
    its name, as the application takes them before it: ``reserver check -q`` and
    ``reserver -q check`` alike. The commands' own functions never see them."""
    for command in each_command(group):
        if command.callback is not None:
            command.callback = _with_verbosity(command.callback)


def _with_verbosity(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` with two more keyword parameters, ``quiet`` and ``verbose``, that Typer
    declares as the options above and that are recorded, not passed on."""

    @functools.wraps(callback)
    def run(*args: Any, quiet: bool = False, verbose: int = 0, **kwargs: Any) -> Any:
        ask(quiet, verbose)
        try:
            return callback(*args, **kwargs)
        except KeyboardInterrupt:
            # Typer would end the run with status 130 and not a word: say why it stopped.
            console_err.print("interrupted", highlight=False)
            raise typer.Exit(130) from None

    signature = inspect.signature(callback)
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
        for name, option, kind in (("quiet", QUIET, "bool"), ("verbose", VERBOSE, "int"))
    ]
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *added]
    )
    # Typer reads the annotations to choose each option's type; a copy, so that the
    # command's own function keeps its own.
    run.__annotations__ = {**callback.__annotations__, "quiet": "bool", "verbose": "int"}
    return run


class _ConsoleHandler(logging.Handler):
    """Log lines on standard error through the console, so that a live progress bar stays
    below them; a URL's credentials never reach a terminal or a CI log."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            console_err.print(hide_credentials(self.format(record)), markup=False, highlight=False)
        except Exception:
            self.handleError(record)


_handler = _ConsoleHandler()
#: The loggers -v and -vv open: reserver's own, and httpx's one line per request (-vv).
_LOG_LEVELS: Mapping[str, Mapping[Verbosity, int]] = {
    "reserver": {Verbosity.VERBOSE: logging.INFO, Verbosity.DEBUG: logging.DEBUG},
    "httpx": {Verbosity.DEBUG: logging.INFO},
}


def _show_logs(level: Verbosity) -> None:
    for name, levels in _LOG_LEVELS.items():
        logger = logging.getLogger(name)
        if level in levels:
            logger.setLevel(levels[level])
            if _handler not in logger.handlers:
                logger.addHandler(_handler)
        else:  # as Python leaves them: warnings show, and nothing below them
            logger.setLevel(logging.NOTSET)
            logger.removeHandler(_handler)


def format_option(choices: Sequence[str], help: str = "Output format.") -> Any:
    """The ``--format``/``-f`` option of a command whose output comes in ``choices``, the
    first being the default; any other value is a one-line error and exit 2."""

    def one_of(value: str) -> str:
        if value not in choices:
            raise ReserverError(f"--format must be {either(choices)}, not {value!r}")
        return value

    return typer.Option(
        choices[0], "--format", "-f", metavar="|".join(choices), help=help, callback=one_of
    )


def either(choices: Sequence[str]) -> str:
    """``choices`` in words.

    >>> either(["table", "json", "csv"])
    'table, json or csv'
    """
    return ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]


def csv_text(fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """Rows as CSV with a header line, for a command whose table is one row per thing.

    >>> print(csv_text(["kind", "share"], [{"kind": "omission", "share": 0.5}]), end="")
    kind,share
    omission,0.5
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
