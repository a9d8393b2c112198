"""pip requirements files: includes (-r, -c), options, markers, extras, URLs and hashes.

Follows pip's own reading rules: a backslash joins lines, ``#`` after whitespace starts a
comment, ``${VAR}`` expands from the environment, options after a requirement apply to it
(``--hash``), and a line of options alone changes the install (``--index-url``) but names no
package. Requirements themselves are parsed with ``packaging`` (PEP 508).
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from ..errors import InputFileError
from ..model import Dependency, Location
from ._text import read_text

_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
_EGG = re.compile(r"[#&]egg=([^&]+)")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)

#: Options that take a value and name no package (pip's ``SUPPORTED_OPTIONS``).
_VALUE_OPTIONS = frozenset(
    {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--no-binary",
     "--only-binary", "--trusted-host", "--use-feature", "--hash", "--config-settings",
     "--global-option", "--progress-bar"}
)  # fmt: skip
_FLAG_OPTIONS = frozenset({"--no-index", "--pre", "--prefer-binary", "--require-hashes"})
_INCLUDE_OPTIONS = {"-r": "requirement", "--requirement": "requirement",
                    "-c": "constraint", "--constraint": "constraint"}  # fmt: skip
_EDITABLE = frozenset({"-e", "--editable"})


def read_requirements(path: Path) -> list[Dependency]:
    """Names from a requirements file and every file it includes, in reading order."""
    found: list[Dependency] = []
    _read(path, found, active=[])
    return found


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line number, joined line) pairs, continuations joined as pip does:
    a trailing backslash continues the line, except on a line that is only a comment."""
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        is_comment = _COMMENT.match(raw) is not None
        if raw.endswith("\\") and not is_comment:
            if not buffer:
                start = number
            buffer.append(raw.rstrip("\\"))
            continue
        if buffer:
            buffer.append(" " + raw if is_comment else raw)
            result.append((start, "".join(buffer)))
            buffer = []
        else:
            result.append((number, raw))
    if buffer:
        result.append((start, "".join(buffer)))
    return result


def _expand(line: str) -> str:
    return _ENV_VAR.sub(lambda m: os.environ.get(m.group(1), m.group(0)), line)


def _read(path: Path, found: list[Dependency], active: list[Path]) -> None:
    resolved = path.resolve()
    if resolved in active:
        chain = " -> ".join(str(p) for p in [*active, resolved])
        raise InputFileError(Location(str(path)), f"includes itself ({chain})")
    text = read_text(path)
    active.append(resolved)
    try:
        for number, line in _logical_lines(text):
            line = _expand(_COMMENT.sub("", line)).strip()
            if line:
                _read_line(path, number, line, found, active)
    finally:
        active.pop()


def _split(path: Path, number: int, line: str) -> list[str]:
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError as exc:
        raise InputFileError(Location(str(path), number), f"cannot split line ({exc})") from None


def _read_line(
    path: Path, number: int, line: str, found: list[Dependency], active: list[Path]
) -> None:
    where = Location(str(path), number)
    if line.startswith("-"):
        words = _split(path, number, line)
        option, _, inline = words[0].partition("=")
        values = [inline] if inline else words[1:]
        if option in _INCLUDE_OPTIONS:
            if not values:
                raise InputFileError(where, f"{option} needs a file name")
            target = values[0]
            if _URL.match(target):
                raise InputFileError(where, f"{option} {target}: remote includes are not read")
            included = path.parent / target
            if not included.is_file():
                raise InputFileError(where, f"{option} {target}: no such file")
            _read(included, found, active)
            return
        if option in _EDITABLE:
            if not values:
                raise InputFileError(where, f"{option} needs a path or URL")
            name = _name_from_location(values[0])
            if name is not None:
                found.append(Dependency(name, where))
            return
        if option in _VALUE_OPTIONS or option in _FLAG_OPTIONS:
            return
        raise InputFileError(where, f"unknown option {option!r}")
    requirement, options = _split_options(line)
    _check_options(where, options)
    name = _name_of(where, requirement)
    if name is not None:
        found.append(Dependency(name, where))


def _split_options(line: str) -> tuple[str, str]:
    """Split "name>=1 ; marker --hash=sha256:..." into the requirement and its options."""
    match = re.search(r"\s--?[a-zA-Z]", line)
    if match is None:
        return line, ""
    return line[: match.start()].strip(), line[match.start() :].strip()


def _check_options(where: Location, options: str) -> None:
    if not options:
        return
    for word in shlex.split(options):
        option = word.partition("=")[0]
        if option.startswith("-") and option not in (
            "--hash",
            "--config-settings",
            "--global-option",
        ):
            raise InputFileError(where, f"option {option!r} is not allowed after a requirement")
        if option == "--hash" and word.startswith("--hash=") and ":" not in word:
            raise InputFileError(where, f"malformed hash {word!r} (expected ALGORITHM:DIGEST)")


def _looks_like_location(text: str) -> bool:
    return (
        bool(_URL.match(text) or _VCS.match(text))
        or text.startswith((".", "/", "~"))
        or ("/" in text.split(";")[0] and "@" not in text.split("/")[0])
    )


def _name_of(where: Location, requirement: str) -> str | None:
    if _looks_like_location(requirement):
        return _name_from_location(requirement)
    try:
        return Requirement(requirement).name
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0]
        raise InputFileError(where, f"invalid requirement {requirement!r}: {reason}") from None


def _name_from_location(text: str) -> str | None:
    """The project a URL or path names: its ``#egg=`` or its archive's file name.

    A local directory names no package we can check without building it.
    """
    egg = _EGG.search(text)
    if egg is not None:
        return unquote(egg.group(1)).split("[")[0].strip()
    filename = unquote(urlsplit(_VCS.sub("", text)).path.rstrip("/").rsplit("/", 1)[-1])
    # packaging validates the file name; the name is returned as spelled there, since
    # case can matter to a look-alike (jeIlyfish).
    try:
        if filename.endswith(".whl"):
            parse_wheel_filename(filename)
            return filename.split("-", 1)[0]
        if filename.endswith((".tar.gz", ".zip")):
            parse_sdist_filename(filename)
            return filename.rsplit("-", 1)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None
