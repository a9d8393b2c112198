"""Output formats for findings, one module each; ``FORMATS`` maps a name to its renderer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import Finding
from . import csv, json, sarif, table

Renderer = Callable[[Sequence[Finding]], str]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json.render,
    "csv": csv.render,
    "sarif": sarif.render,
}

__all__ = ["FORMATS", "Renderer"]
