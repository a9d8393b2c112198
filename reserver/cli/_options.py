"""Options several commands take, each declared once (flags, help, default, checks), and the
groups that let a command take a set of them as one parameter.

A group is a frozen dataclass deriving from :class:`OptionGroup` whose fields are declared
with :func:`option` or :func:`declared`. A command takes the group as a parameter annotated
with its class; :func:`expand_option_groups` shows Typer the group's options in that
parameter's place, in the fields' order, and hands the command one instance of the group.
So every command that takes ``--budget`` takes it with the same words and default, and the
code that reads the options reads them from one place.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any

import typer
from typer.models import CommandInfo, ParameterInfo

from ..publish.defaults import DEFAULT_LEDGER

#: The key of a group field's metadata that holds its command-line declaration.
_DECLARATION = "reserver.cli.declaration"


class OptionGroup:
    """The base of a group of options (a frozen dataclass) that commands take as one."""


def declared(parameter: ParameterInfo) -> Any:
    """A group's field that is ``parameter`` (a ``typer.Option`` or ``typer.Argument``) on the
    command line."""
    return dataclasses.field(metadata={_DECLARATION: parameter})


def option(default: Any, *flags: str, **settings: Any) -> Any:
    """A group's field that is the option ``typer.Option(default, *flags, **settings)``."""
    return declared(typer.Option(default, *flags, **settings))


def each_command(group: typer.Typer) -> Iterator[CommandInfo]:
    """Every command registered on ``group`` and on its sub-groups."""
    yield from group.registered_commands
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            yield from each_command(sub.typer_instance)


def expand_option_groups(group: typer.Typer) -> None:
    """Let every command of ``group`` (and of its sub-groups) take option groups: Typer sees
    each group's options where the command names the group, and the command gets the group."""
    for command in each_command(group):
        if command.callback is not None:
            command.callback = _with_groups(command.callback)


def _with_groups(callback: Callable[..., Any]) -> Callable[..., Any]:
    hints = typing.get_type_hints(callback)
    groups: dict[str, type[Any]] = {
        name: kind
        for name, kind in hints.items()
        if isinstance(kind, type) and issubclass(kind, OptionGroup)
    }
    if not groups:
        return callback
    parameters: list[inspect.Parameter] = []
    annotations: dict[str, Any] = {}
    for parameter in inspect.signature(callback).parameters.values():
        kind = groups.get(parameter.name)
        if kind is None:
            parameters.append(parameter)
            annotations[parameter.name] = hints[parameter.name]
            continue
        types = typing.get_type_hints(kind)
        for field in dataclasses.fields(kind):
            # The annotation as written (a string): what the help's placeholders are named
            # from (``_app.name_option_values``), as for a command's own parameters.
            written = kind.__annotations__[field.name]
            parameters.append(
                inspect.Parameter(
                    field.name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=field.metadata[_DECLARATION],
                    annotation=written,
                )
            )
            annotations[field.name] = types[field.name]

    @functools.wraps(callback)
    def run(**given: Any) -> Any:
        for name, kind in groups.items():
            given[name] = kind(**{f.name: given.pop(f.name) for f in dataclasses.fields(kind)})
        return callback(**given)

    # Typer passes every value by keyword; keyword-only parameters may come in any order.
    # A name two groups (or a group and the command) share is refused here, at import.
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in parameters]
    )
    run.__annotations__ = {**annotations, "return": hints.get("return")}
    return run


# Options that several commands take on their own, outside a group.

PLAN_FILE = typer.Argument(..., help="The plan written by 'reserver plan'.")
LEDGER = typer.Option(DEFAULT_LEDGER, "--ledger", help="The SQLite ledger.")
STATS_URL = typer.Option(
    None, "--stats-url", help="Opt in to the anonymous install count at this stats service."
)
OUTPUT = typer.Option(
    None, "--output", "-o", help="Write here (atomically) instead of standard output."
)
CORPUS = typer.Option(
    None,
    "--corpus",
    metavar="FILE|URL",
    help="Popular names, one per line in popularity order (a download count after the name "
    'is allowed), or a "top PyPI packages" JSON '
    "(a file, or its URL for a newer snapshot). Default: the bundled top 10,000 (snapshot "
    "of 2026-04-01).",
)
