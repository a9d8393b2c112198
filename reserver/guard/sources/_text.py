"""Reading a dependency file's text and TOML with errors that name the file and line."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..model import Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_TOML_LINE = re.compile(r"at line (\d+)")


#: Dependency files are small; anything larger (or endless, like /dev/zero) is refused
#: after reading this much, not loaded whole.
MAX_INPUT_BYTES = 16 * 1024 * 1024


def read_text(path: Path) -> str:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputFileError(Location(str(path)), f"cannot read ({exc.strerror})") from None
    if len(data) > MAX_INPUT_BYTES:
        limit = MAX_INPUT_BYTES // (1024 * 1024)
        raise InputFileError(Location(str(path)), f"larger than {limit} MiB: not a dependency file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(Location(str(path), line), "not UTF-8 text") from None


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed document and its text (to find line numbers later)."""
    text = read_text(path)
    try:
        return tomllib.loads(text), text
    except RecursionError:
        raise InputFileError(Location(str(path)), "invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) if found else None
        message = str(exc).split(" (at line")[0]
        raise InputFileError(Location(str(path), line), f"invalid TOML: {message}") from None


def line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    """1-based line of the first occurrence of ``needle`` at or after ``start_line``."""
    lines = text.splitlines()
    for number in range(max(start_line, 1), len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return None
