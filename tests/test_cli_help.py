"""Every command and subcommand documents itself, and --help works for each."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main

from reserver.cli import app

from .conftest import Cli

# Typer may bundle its own copy of click, so commands are walked by shape, not by class.
Command = Any


def walk(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Command]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = list(walk(typer.main.get_command(app)))


def test_the_expected_commands_exist() -> None:
    names = {path[0] for path, _ in COMMANDS if path}
    assert {"plan", "build", "upload", "demo", "config"} <= names


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "reserver" for p, _ in COMMANDS]
)
def test_every_command_has_help_and_documented_options(
    cli: Cli, path: tuple[str, ...], command: Command
) -> None:
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help"
    done = cli(*path, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "reserver" for p, _ in COMMANDS]
)
def test_every_option_value_is_named_as_pip_and_click_name_them(
    cli: Cli, path: tuple[str, ...], command: Command
) -> None:
    """``--top N``, ``--requirement FILE``, ``--format table|json``: never a Python type's
    name (``<str>``, ``<path>``, ``<int range>``) where the value goes."""
    done = cli(*path, "--help", env={"COLUMNS": "200"})
    options = [line for line in done.stdout.splitlines() if line.lstrip("│ ").startswith("-")]
    for line in options:
        assert not re.search(r"<(str|path|int|float|list|text|integer)\b", line), line


LEAVES = [(path, command) for path, command in COMMANDS if not getattr(command, "commands", None)]


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "reserver" for p, _ in COMMANDS]
)
def test_every_argument_is_named_as_click_names_it(
    cli: Cli, path: tuple[str, ...], command: Command
) -> None:
    """``upload [OPTIONS] PLAN_FILE``, ``generate [OPTIONS] [TARGETS]...``: the argument's
    name in capitals, in the usage line and in the help's Arguments panel, with no type's
    name beside it (``<path>``) and no braces (``{plan_file}``)."""
    done = cli(*path, "--help", env={"COLUMNS": "200"})
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    usage = next(line for line in done.stdout.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage
    for argument in arguments:
        assert re.fullmatch(r"\[?[A-Z_|]+\]?(\.\.\.)?", argument.metavar), argument.metavar
        assert argument.metavar in usage, usage
        (row,) = [line for line in done.stdout.splitlines() if f" {argument.metavar} " in line
                  and "Usage:" not in line]  # fmt: skip
        assert not re.search(r"<\w+>", row), row


@pytest.mark.parametrize(
    ("path", "command"), LEAVES, ids=[" ".join(p) or "reserver" for p, _ in LEAVES]
)
def test_every_command_takes_quiet_and_verbose_after_its_name(
    path: tuple[str, ...], command: Command
) -> None:
    options = {opt for param in command.params for opt in param.opts}
    assert {"-q", "--quiet", "-v", "--verbose"} <= options, " ".join(path)


def test_the_application_takes_quiet_and_verbose_before_the_command() -> None:
    root = typer.main.get_command(app)
    options = {opt for param in root.params for opt in param.opts}
    assert {"-q", "--quiet", "-v", "--verbose"} <= options


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "reserver" for p, _ in COMMANDS]
)
def test_help_paragraphs_wrap_at_the_terminals_width(
    cli: Cli, path: tuple[str, ...], command: Command
) -> None:
    """A description paragraph breaks only where the terminal does: at 80 columns no line of
    it ends early with room for the next word (a docstring's own line break showing)."""
    done = cli(*path, "--help", env={"COLUMNS": "80"})
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
    end = next((i for i, line in enumerate(lines) if line.startswith("╭")), len(lines))
    text = [line.rstrip() for line in lines[start:end]]
    for line, after in itertools.pairwise(text):
        if line.strip() and after.strip():
            next_word = after.split()[0]
            assert len(line) + 1 + len(next_word) > 78, (line, after)
