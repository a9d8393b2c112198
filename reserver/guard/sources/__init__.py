"""Readers that pull package names out of dependency files, one module per format.

``read_dependencies(path)`` picks the reader from the file name; each reader is a function
``(path) -> list[Dependency]`` raising ``InputFileError`` with the file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...errors import shorten
from ..errors import InputFileError
from ..model import Dependency, Location
from .lockfiles import read_pdm_lock, read_poetry_lock, read_pylock, read_uv_lock
from .pyproject import read_pipfile, read_pyproject
from .requirements import read_requirements

Reader = Callable[[Path], list[Dependency]]

#: Exact file names with a format of their own; anything else is read as requirements.
READERS: dict[str, Reader] = {
    "pyproject.toml": read_pyproject,
    "uv.lock": read_uv_lock,
    "poetry.lock": read_poetry_lock,
    "pdm.lock": read_pdm_lock,
    "pylock.toml": read_pylock,
    "Pipfile": read_pipfile,
}
#: Files that name dependencies in code or in a format not read here: refused with a word
#: on what to do rather than misread as requirements.
UNREADABLE: dict[str, str] = {
    "setup.py": "setup.py is code and is not run; list its install_requires in a "
    "requirements file or pyproject.toml, or check the built wheel's names",
    "Pipfile.lock": "Pipfile.lock is not read; check the Pipfile beside it",
}


def reader_for(path: Path) -> Reader:
    """The reader for ``path``: by exact name, ``pylock.*.toml`` (PEP 751), else requirements."""
    if path.name in READERS:
        return READERS[path.name]
    if path.name.startswith("pylock.") and path.name.endswith(".toml"):
        return read_pylock
    return read_requirements


def read_dependencies(path: Path) -> list[Dependency]:
    """Every package name ``path`` asks for, with where it asks for it."""
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # a path too long for the file system, for one
        raise InputFileError(
            Location(shorten(str(path))), f"cannot read ({exc.strerror})"
        ) from None
    if not exists:
        raise InputFileError(Location(str(path)), "no such file")
    if is_dir:
        raise InputFileError(Location(str(path)), "is a directory, not a dependency file")
    if path.name in UNREADABLE:
        raise InputFileError(Location(str(path)), UNREADABLE[path.name])
    return reader_for(path)(path)


__all__ = ["READERS", "UNREADABLE", "looks_like_a_file", "read_dependencies", "reader_for"]


#: Endings of dependency files (and of nothing on PyPI worth checking as a name).
_FILE_SUFFIXES = (".txt", ".in", ".toml", ".lock", ".cfg", ".py", ".json")


def looks_like_a_file(item: str) -> bool:
    """Whether a command-line argument is meant as a file: a path, a known file name, or
    a dependency-file ending (``nope.txt``), so a mistyped path fails instead of being
    checked as a package name and passing."""
    path = Path(item)
    return (
        "/" in item
        or "\\" in item
        or path.name in READERS
        or path.name in UNREADABLE
        or path.suffix.lower() in _FILE_SUFFIXES
    )
