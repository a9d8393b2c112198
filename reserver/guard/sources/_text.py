"""Reading a dependency file's text and TOML with errors that name the file and line.

Every limit on a dependency file is here, checked before the work that grows with it: its
size before it is decoded, its number of lines before anything splits it, the length of its
longest line before any line is parsed, and TOML nesting while it is parsed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..._files import TomlError, parse_toml
from ..errors import InputFileError
from ..model import Location

#: Dependency files are small; anything larger (or endless, like /dev/zero) is refused
#: after reading this much, not loaded whole. Large lock files (uv.lock of a big workspace)
#: are a few MiB.
MAX_INPUT_BYTES = 16 * 1024 * 1024
#: Lines a dependency file may have: a 16 MiB uv.lock has about 150,000. Counted before the
#: text is split, since a list of every line of 16 MiB of "ab" lines takes 330 MB.
MAX_LINES = 300_000
#: Longest line: a requirement with a URL and its hashes, or a lock file's wheel entry, is a
#: few KiB. A longer line is not a dependency file's (a minified bundle, a 5 MB "name").
MAX_LINE_CHARS = 64 * 1024
#: Names one run reads from all its files: each is kept with its place, so this bounds the
#: memory a file of one short name a line can take (and the time spent matching them).
MAX_DEPENDENCIES = 100_000
#: Values a TOML file may hold, counted as its separators (",", "=", "[", "{": every key,
#: array item and table needs one) before it is parsed: the parser makes an object of each,
#: so 3 MB of ["ab","ab",...] took 276 MB. A 16 MiB uv.lock has about 500,000.
MAX_TOML_ITEMS = 1_000_000
#: Every character ``str.splitlines`` ends a line at; "\r\n" is one break, counted apart.
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def read_text(path: Path) -> str:
    """The text of a dependency file, refused with its place if it breaks a limit above."""
    data = _read_bounded(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(Location(str(path), line), "not UTF-8 text") from None
    _check_lines(path, text)
    return text


def _read_bounded(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputFileError(Location(str(path)), f"cannot read ({exc.strerror})") from None
    if len(data) > MAX_INPUT_BYTES:
        limit = MAX_INPUT_BYTES // (1024 * 1024)
        raise InputFileError(Location(str(path)), f"larger than {limit} MiB: not a dependency file")
    return data


def _check_lines(path: Path, text: str) -> None:
    # A few passes of str.count in C: no line is materialised before the count is known.
    breaks = sum(text.count(c) for c in _LINE_BREAKS) - text.count("\r\n")
    if breaks + 1 > MAX_LINES:
        raise InputFileError(
            Location(str(path)), f"more than {MAX_LINES:,} lines: not a dependency file"
        )
    if len(text) <= MAX_LINE_CHARS:
        return  # no line can be too long: most files stop here, unsplit
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise InputFileError(
                Location(str(path), number),
                f"a line of {len(line):,} characters (at most {MAX_LINE_CHARS:,}): "
                "not a dependency file",
            )


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed document and its text (to find line numbers later)."""
    text = read_text(path)
    items = sum(text.count(c) for c in ",=[{")
    if items > MAX_TOML_ITEMS:
        raise InputFileError(
            Location(str(path)), f"more than {MAX_TOML_ITEMS:,} TOML values: not a dependency file"
        )
    try:
        return parse_toml(text), text
    except TomlError as exc:
        raise InputFileError(
            Location(str(path), exc.line), f"invalid TOML: {exc.message}"
        ) from None


def line_of(text: str, needle: str, start_line: int = 1) -> int | None:
    """1-based line of the first occurrence of ``needle`` at or after ``start_line``.

    One scan of the text: for the line of an error, never once per name (see
    :class:`FirstLines`).
    """
    lines = text.splitlines()
    for number in range(max(start_line, 1), len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return None


# A TOML string on one line: basic ("...", no escapes) or literal ('...').
_STRING = re.compile(r"\"([^\"\\\n]*)\"|'([^'\n]*)'")
# A key at the start of a line: bare, or quoted as above, then "=".
_KEY = re.compile(r"\s*(?:\"([^\"\\\n]*)\"|'([^'\n]*)'|([A-Za-z0-9_.-]+))\s*=")


class FirstLines:
    """The first line of every one-line string and every key of a TOML text, found in one
    pass, so that giving each of a file's names its line costs one look-up, not one scan
    of the file (which made a pyproject.toml of 300,000 names run for hours)."""

    def __init__(self, text: str) -> None:
        self.strings: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _STRING.finditer(line):
                self.strings.setdefault(match.group(1) or match.group(2) or "", number)
            key = _KEY.match(line)
            if key is not None:
                self.keys.setdefault(key.group(1) or key.group(2) or key.group(3) or "", number)

    def string(self, value: str) -> int | None:
        """The line of the first string literal spelled exactly ``value`` (None when it is
        written with escapes or across lines: no line rather than a wrong one)."""
        return self.strings.get(value)

    def key(self, name: str) -> int | None:
        """The line where ``name`` is first used as a key."""
        return self.keys.get(name)
