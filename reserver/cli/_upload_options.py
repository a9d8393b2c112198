"""The upload options ``upload`` and ``reserve`` share, declared once."""

from __future__ import annotations

import typer

from ..publish.defaults import DEFAULT_LEDGER

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
JSON_LOG = typer.Option(False, "--json", help="One JSON line per event on stdout.")
TIMEOUT = typer.Option(
    None, "--timeout", min=0.1, help="Seconds to wait for the registry's answer."
)
YES = typer.Option(
    False,
    "--yes",
    "-y",
    help="Confirm without asking: a new plan in reserve, an upload to PyPI or TestPyPI.",
)
