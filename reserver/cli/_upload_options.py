"""The upload options ``upload`` and ``reserve`` share, declared once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..config import resolve
from ._options import LEDGER, OptionGroup, declared, option
from ._output import format_option

if TYPE_CHECKING:
    from ..publish.twine_upload import Credentials


@dataclass(frozen=True)
class RepositoryArgs(OptionGroup):
    """Where the placeholders go, and how fast that repository takes new projects."""

    repository_url: str | None = option(
        None, "--repository-url", help="Upload endpoint (e.g. https://test.pypi.org/legacy/)."
    )
    repository: str | None = option(
        None, "--repository", help="A repository name from .pypirc (e.g. testpypi)."
    )
    simple_url: str | None = option(
        None, "--simple-url", help="The index's simple API (default: derived from the URL)."
    )
    rate: str | None = option(
        None,
        "--rate",
        help="New projects per period: 20/hour, 100/minute, 5/2s, or none. Default: 20/hour "
        "for PyPI and TestPyPI, no pacing for other indexes.",
    )

    def credentials(self) -> Credentials:
        """Credentials as twine finds them, refusing two contradicting repositories."""
        return credentials_for(self.repository_url, self.repository)


def credentials_for(repository_url: str | None, repository: str | None) -> Credentials:
    """Credentials as twine finds them for ``--repository-url`` or ``--repository`` (the
    configured repository when neither is given), refusing both at once."""
    from ..publish.twine_upload import Credentials

    if repository_url is None and repository is None:
        repository_url = resolve()["repository"]
    if repository_url and repository:
        raise typer.BadParameter("give --repository-url or --repository, not both")
    return Credentials.from_environment(repository_url, repository)


@dataclass(frozen=True)
class BatchArgs(OptionGroup):
    """How a batch runs and reports: how many names, the ledger, the output, the patience."""

    max_uploads: int | None = option(
        None, "--max", min=0, help="Upload at most N names in this run."
    )
    ledger: Path = declared(LEDGER)
    output_format: str = declared(
        format_option(
            ("table", "json"),
            "table: a progress bar and a summary for people; json: one JSON line per event on "
            "stdout, then the result, for scripts.",
        )
    )
    # Deprecated: --format json, as every command with output spells it. Still accepted, since
    # unattended runs were started with it, and it says nothing about it (a warning would land
    # in their logs on every run); hidden from the help so that new scripts use --format.
    json_log: bool = option(False, "--json", hidden=True, help="Deprecated: --format json.")
    timeout: float | None = option(
        None, "--timeout", min=0.1, help="Seconds to wait for the registry's answer."
    )
    yes: bool = option(
        False,
        "--yes",
        "-y",
        help="Confirm without asking: a new plan in reserve, an upload to PyPI or TestPyPI.",
    )

    @property
    def json_lines(self) -> bool:
        """Whether the batch reports in JSON lines on stdout (``--format json`` or ``--json``)."""
        return self.json_log or self.output_format == "json"
