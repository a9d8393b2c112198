"""The upload options ``upload`` and ``reserve`` share, declared once."""

from __future__ import annotations

import typer

from ..publish.defaults import DEFAULT_LEDGER
from ._output import format_option

RATE_HELP = (
    "New projects per period: 20/hour, 100/minute, 5/2s, or none. Default: 20/hour "
    "for PyPI and TestPyPI, no pacing for other indexes."
)

REPOSITORY_URL = typer.Option(
    None, "--repository-url", help="Upload endpoint (e.g. https://test.pypi.org/legacy/)."
)
REPOSITORY = typer.Option(
    None, "--repository", help="A repository name from .pypirc (e.g. testpypi)."
)
SIMPLE_URL = typer.Option(
    None, "--simple-url", help="The index's simple API (default: derived from the URL)."
)
RATE = typer.Option(None, "--rate", help=RATE_HELP)
MAX_UPLOADS = typer.Option(None, "--max", min=0, help="Upload at most N names in this run.")
LEDGER = typer.Option(DEFAULT_LEDGER, "--ledger", help="The SQLite ledger.")
FORMAT = format_option(
    ("table", "json"),
    "table: a progress bar and a summary for people; json: one JSON line per event on "
    "stdout, then the result, for scripts.",
)
# Deprecated: --format json, as every command with output spells it. Still accepted, since
# unattended runs were started with it, and it says nothing about it (a warning would land
# in their logs on every run); hidden from the help so that new scripts use --format.
JSON_LOG = typer.Option(False, "--json", hidden=True, help="Deprecated: --format json.")
TIMEOUT = typer.Option(
    None, "--timeout", min=0.1, help="Seconds to wait for the registry's answer."
)
YES = typer.Option(
    False,
    "--yes",
    "-y",
    help="Confirm without asking: a new plan in reserve, an upload to PyPI or TestPyPI.",
)
