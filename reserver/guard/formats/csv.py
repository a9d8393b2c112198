"""Findings as CSV, one row a finding, for a spreadsheet or a script: the JSON's fields."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..model import Finding

FIELDS = ("name", "target", "kind", "score", "level", "detail", "file", "line")


def render(findings: Sequence[Finding]) -> str:
    """A header line, then one row per finding (an empty ``file`` or ``line`` for a name
    given on the command line)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(finding.to_dict() for finding in findings)
    return buffer.getvalue()
