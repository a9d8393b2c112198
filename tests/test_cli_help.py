"""Every command and subcommand documents itself, and --help works for each."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main

from reserver.cli import app

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
    path: tuple[str, ...], command: Command
) -> None:
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help"
    done = subprocess.run([sys.executable, "-m", "reserver", *path, "--help"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "reserver" for p, _ in COMMANDS]
)
def test_every_option_value_is_named_as_pip_and_click_name_them(
    path: tuple[str, ...], command: Command
) -> None:
    """``--top N``, ``--requirement FILE``, ``--format table|json``: never a Python type's
    name (``<str>``, ``<path>``, ``<int range>``) where the value goes."""
    done = subprocess.run([sys.executable, "-m", "reserver", *path, "--help"],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    options = [line for line in done.stdout.splitlines() if line.lstrip("│ ").startswith("-")]
    for line in options:
        assert not re.search(r"<(str|path|int|float|list|text|integer)\b", line), line
