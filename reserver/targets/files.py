"""A targets file: the projects to protect, one a line, read from a file the user names."""

from __future__ import annotations

from pathlib import Path

from .._files import read_text_file
from ..errors import ReserverError, excerpt
from ..names.normalize import name_problem
from ..names.targets import (
    FILE,
    INTERNAL,
    Target,
)

#: A targets file lists the projects to protect: thousands of names, not megabytes.
TARGETS_FILE_BYTES = 16 * 1024 * 1024


def read_targets_file(path: Path) -> list[Target]:
    """One name per line; ``NAME internal`` marks a name that must never resolve publicly.

    ``#`` starts a comment. Any bad line is an error naming the line: a half-read list of
    names to protect is worse than none.
    """
    text = read_text_file(path, "targets file", limit=TARGETS_FILE_BYTES)
    targets: list[Target] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and parts[1] != INTERNAL):
            raise ReserverError(
                f"{path}:{number}: expected 'NAME' or 'NAME internal', got {excerpt(line)}"
            )
        problem = name_problem(parts[0])
        if problem is not None:
            raise ReserverError(f"{path}:{number}: {problem}")
        targets.append(Target(parts[0], INTERNAL if len(parts) == 2 else FILE))
    if not targets:
        raise ReserverError(f"{path}: no target names in the file")
    return targets
