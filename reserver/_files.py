"""The files a user names: read bounded in size and nesting, written atomically, every
problem one line.

A path on the command line can be anything: ``/dev/zero``, a 5 GB log, JSON nested a
million deep, a name too long for the file system. Each reader here stops at its limit
before doing the work that grows with it, and says what is wrong in one line (the error
class is the caller's, so each command keeps its exit status). A file written goes through a
temporary file and a rename, so a reader never sees half of it.

Infrastructure: it imports nothing from reserver but :mod:`reserver.errors`.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ReserverError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_TOML_LINE = re.compile(r"at line (\d+)")

MIB = 1024 * 1024
#: The default size limit of a file a user names: plans, corpora, hits feeds and datasets
#: are far smaller (a 100,000-name plan is about 25 MiB); anything larger, or endless, is
#: refused after reading this much, never loaded whole.
MAX_FILE_BYTES = 64 * MIB
#: How deep a value read from JSON may nest where it is kept and written again (a plan's
#: options): deeper ones would overflow the stack of the code that copies or writes them.
MAX_JSON_DEPTH = 32


def read_bytes_file(
    path: Path, what: str, error: type[ReserverError] = ReserverError, limit: int = MAX_FILE_BYTES
) -> bytes:
    """The bytes of a file the user named, at most ``limit`` of them, or ``error`` saying in
    one line why not (missing, unreadable, a folder, a name too long, too large).

    >>> read_bytes_file(Path("/dev/zero"), "plan file", limit=MIB)
    Traceback (most recent call last):
    reserver.errors.ReserverError: /dev/zero: plan file larger than 1 MiB
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise error(f"{path}: {what} larger than {_size(limit)}")
    return data


def read_text_file(
    path: Path, what: str, error: type[ReserverError] = ReserverError, limit: int = MAX_FILE_BYTES
) -> str:
    """The UTF-8 text of a file the user named (see :func:`read_bytes_file`).

    >>> read_text_file(Path("/no/such/list.txt"), "targets file")
    Traceback (most recent call last):
    reserver.errors.ReserverError: /no/such/list.txt: no such targets file
    """
    data = read_bytes_file(path, what, error, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: cannot read {what} (not UTF-8 text)") from None


def load_json(data: str | bytes, source: str, error: type[ReserverError] = ReserverError) -> Any:
    """Parse JSON; nesting deeper than the parser's stack is ``error``, not a crash.

    Malformed JSON raises ``json.JSONDecodeError`` as usual: each caller words that itself.

    >>> load_json("[" * 100_000, "x.json")
    Traceback (most recent call last):
    reserver.errors.ReserverError: x.json: invalid JSON (nested too deeply)
    """
    try:
        return json.loads(data)
    except RecursionError:
        # The parser gives up at the interpreter's recursion limit (about 1,000 levels),
        # having read at most that many characters: the cost never grows with the file.
        raise error(f"{source}: invalid JSON (nested too deeply)") from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # a number of more than 4,300 digits, which Python refuses
        raise error(f"{source}: invalid JSON ({str(exc).splitlines()[0][:80]})") from None


def nested_deeper(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` (parsed JSON) nests lists and objects more than ``limit`` deep.

    Walked with a list, not recursion, so the check itself cannot overflow the stack.

    >>> nested_deeper({"a": [[1]]}, 3), nested_deeper({"a": [[1]]}, 2)
    (False, True)
    """
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"


def write_atomic(path: Path, data: bytes, *, make_parents: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A folder that cannot hold the file (``/proc``, read-only, missing rights, a full disk)
    is a ReserverError naming the path, not a traceback. A device or a pipe (``-o
    /dev/null``, ``/dev/stdout``, a FIFO) is written where it is: a rename would put a
    regular file in its place (and, run as root, take ``/dev/null`` from the whole machine).
    A missing folder is refused, not created: a mistyped ``-o reprot/x.json`` would
    otherwise leave the report where nobody looks. ``make_parents`` is for reserver's own
    folders (its cache)."""
    try:
        mode: int | None = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ReserverError(f"cannot write {path} (it is a folder)")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        return
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            check_parent_folder(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise


def _cannot_write(path: Path, exc: OSError) -> ReserverError:
    return ReserverError(f"cannot write {path} ({exc.strerror or exc})")


def check_parent_folder(path: Path) -> Path:
    """``path`` unchanged when the folder it goes in exists, else ReserverError: files the
    user names are written only into folders that are already there."""
    parent = path.parent
    try:
        exists = parent.is_dir()
    except OSError as exc:  # a name too long for the file system, for one
        raise _cannot_write(path, exc) from None
    if not exists:
        if parent.exists():
            raise ReserverError(f"cannot write {path} ({parent} is a file, not a folder)")
        raise ReserverError(
            f"cannot write {path} (the folder {parent} does not exist; create it first)"
        )
    return path


class TomlError(ValueError):
    """Why a text is not TOML: the parser's words, and the line when it names one."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message if line is None else f"{message} (line {line})")
        self.message = message
        self.line = line


def parse_toml(text: str) -> dict[str, Any]:
    """``text`` as TOML; :class:`TomlError` when it is not, nested too deeply included (the
    parser recurses once per level, so a hostile file would otherwise raise RecursionError).

    >>> parse_toml('a = [1, 2]')
    {'a': [1, 2]}
    >>> parse_toml('a = 1 b')
    Traceback (most recent call last):
    ...
    reserver._files.TomlError: expected newline or end of document after a statement (line 1)
    """
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except RecursionError:
        raise TomlError("nested too deeply", None) from None
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        message = str(exc).split(" (at line")[0].strip()
        raise TomlError(
            message[:1].lower() + message[1:], int(found.group(1)) if found else None
        ) from None
    return data
