"""A table a person reads in a terminal or a CI log."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ..model import Finding


def render(findings: Sequence[Finding], width: int = 120) -> str:
    """One row per finding: where, the name, what was probably meant, how, and how sure."""
    if not findings:
        return "no likely typosquats found\n"
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for column in ("where", "name", "did you mean", "kind", "score", "why"):
        table.add_column(column, overflow="fold")
    for finding in findings:
        table.add_row(
            str(finding.location) if finding.location else "-",
            finding.name,
            finding.target,
            finding.kind,
            f"{finding.score:.2f}",
            finding.match.detail,
        )
    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, highlight=False).print(table)
    return buffer.getvalue()
