"""Findings as a JSON array of objects with name, target, kind, score, detail, file, line."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..model import Finding


def render(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2) + "\n"
