"""pip requirements files: includes (-r, -c), options, markers, extras, URLs and hashes.

Follows pip's own reading rules: a backslash joins lines, ``#`` after whitespace starts a
comment, ``${VAR}`` expands from the environment, options after a requirement apply to it
(``--hash``), and a line of options alone changes the install (``--index-url``) but names no
package. Requirements themselves are parsed with ``packaging`` (PEP 508).

The file's own rules are read here, not by a requirements-file library (measured against
pip-requirements-parser 32.0.1 and requirements-parser 0.13.1): neither expands ``${VAR}``,
so a name pip would install from ``${PKG}==1.0`` went unchecked (requirements-parser refused
the whole file over it), and pip-requirements-parser keeps pip's comment regex, 2.6 s on a
line of 20,000 spaces where :func:`_strip_comment` takes under a millisecond.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from ...errors import excerpt, shorten
from ...names.normalize import name_problem
from ..errors import InputFileError
from ..model import Dependency, Location
from ._text import MAX_DEPENDENCIES, read_text
from .words import split_words

#: How deep ``-r``/``-c`` includes may nest: real projects use two or three levels; a chain
#: of a thousand files would overflow the reader's stack.
MAX_INCLUDE_DEPTH = 32
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
_EGG = re.compile(r"[#&]egg=([^&]+)")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)
#: A requirement that is a bare name (PEP 508's name rule): its name is itself, without
#: packaging's full parser: 5,000 lines of names read in 33 ms rather than 73 (medians of 15).
_BARE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")

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


@dataclass
class _Reading:
    """One requirements file being read with everything it includes."""

    found: list[Dependency] = field(default_factory=list)
    active: list[Path] = field(default_factory=list)
    """The chain of files being read (a file in it, included again, is a cycle)."""
    done: set[Path] = field(default_factory=set)
    """Files read already: pip reads a file included twice twice, for the same names, so
    each is read once here (ten files each including the next twice would otherwise mean
    2 ** 10 readings of the last)."""

    def add(self, where: Location, name: str) -> None:
        if len(self.found) >= MAX_DEPENDENCIES:
            raise InputFileError(where, f"more than {MAX_DEPENDENCIES:,} names to check")
        self.found.append(Dependency(name, where))


def read_requirements(path: Path) -> list[Dependency]:
    """Names from a requirements file and every file it includes, in reading order."""
    reading = _Reading()
    _read(path, reading)
    return reading.found


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _strip_comment(line: str) -> str:
    """``line`` without its comment, by pip's rule: from a ``#`` at the start of the line or
    after whitespace, to the end.

    Found with ``str.find`` rather than pip's ``(^|\\s+)#.*$``, whose backtracking over a run
    of whitespace is quadratic (a line of 20,000 spaces took 6 s to read).

    >>> _strip_comment("requests  # http"), _strip_comment("pkg#egg # note"), _strip_comment("#")
    ('requests  ', 'pkg#egg ', '')
    """
    start = line.find("#")
    while start > 0 and not line[start - 1].isspace():
        start = line.find("#", start + 1)
    return line if start < 0 else line[:start]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line number, joined line) pairs, continuations joined as pip does:
    a trailing backslash continues the line, except on a line that is only a comment."""
    result: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        is_comment = _is_comment(raw)
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


def _read(path: Path, reading: _Reading) -> None:
    resolved = path.resolve()
    if resolved in reading.active:
        chain = " -> ".join(str(p) for p in [*reading.active, resolved])
        raise InputFileError(Location(str(path)), f"includes itself ({chain})")
    if resolved in reading.done:
        return
    if len(reading.active) >= MAX_INCLUDE_DEPTH:
        raise InputFileError(
            Location(str(path)), f"included more than {MAX_INCLUDE_DEPTH} files deep"
        )
    text = read_text(path)
    reading.active.append(resolved)
    try:
        for number, line in _logical_lines(text):
            line = _expand(_strip_comment(line)).strip()
            if line:
                _read_line(path, number, line, reading)
    finally:
        reading.active.pop()
    reading.done.add(resolved)


def _split(where: Location, line: str) -> list[str]:
    try:
        return split_words(line)
    except ValueError as exc:
        raise InputFileError(where, f"cannot split line ({exc})") from None


def _read_line(path: Path, number: int, line: str, reading: _Reading) -> None:
    where = Location(str(path), number)
    if line.startswith("-"):
        _read_option_line(path, where, _split(where, line), reading)
        return
    requirement, options = _split_options(line)
    _check_options(where, options)
    name = _name_of(where, requirement)
    if name is not None:
        reading.add(where, name)


def _read_option_line(path: Path, where: Location, words: list[str], reading: _Reading) -> None:
    option, _, inline = words[0].partition("=")
    values = [inline] if inline else words[1:]
    if option in _INCLUDE_OPTIONS:
        if not values:
            raise InputFileError(where, f"{option} needs a file name")
        _read(_included(path, where, option, values[0]), reading)
        return
    if option in _EDITABLE:
        if not values:
            raise InputFileError(where, f"{option} needs a path or URL")
        name = _name_from_location(values[0])
        if name is not None:
            reading.add(where, name)
        return
    if option in _VALUE_OPTIONS or option in _FLAG_OPTIONS:
        return
    raise InputFileError(where, f"unknown option {excerpt(option)}")


def _included(path: Path, where: Location, option: str, target: str) -> Path:
    """The file a ``-r``/``-c`` line names, relative to the file that names it."""
    if _URL.match(target):
        raise InputFileError(where, f"{option} {shorten(target)}: remote includes are not read")
    included = path.parent / target
    try:
        exists = included.is_file()
    except OSError as exc:  # a name too long for the file system
        raise InputFileError(where, f"{option} {shorten(target)}: {exc.strerror}") from None
    if not exists:
        raise InputFileError(where, f"{option} {shorten(target)}: no such file")
    return included


def _split_options(line: str) -> tuple[str, str]:
    """Split "name>=1 ; marker --hash=sha256:..." into the requirement and its options."""
    match = re.search(r"\s--?[a-zA-Z]", line)
    if match is None:
        return line, ""
    return line[: match.start()].strip(), line[match.start() :].strip()


def _check_options(where: Location, options: str) -> None:
    if not options:
        return
    for word in _split(where, options):
        option = word.partition("=")[0]
        if option.startswith("-") and option not in (
            "--hash",
            "--config-settings",
            "--global-option",
        ):
            raise InputFileError(
                where, f"option {excerpt(option)} is not allowed after a requirement"
            )
        if option == "--hash" and word.startswith("--hash=") and ":" not in word:
            raise InputFileError(
                where, f"malformed hash {excerpt(word)} (expected ALGORITHM:DIGEST)"
            )


def _looks_like_location(text: str) -> bool:
    return (
        bool(_URL.match(text) or _VCS.match(text))
        or text.startswith((".", "/", "~"))
        or ("/" in text.split(";")[0] and "@" not in text.split("/")[0])
    )


def _name_of(where: Location, requirement: str) -> str | None:
    if _looks_like_location(requirement):
        name = _name_from_location(requirement)
        # An archive's file name is checked by packaging; an #egg= fragment is whatever the
        # line says, and pip refuses the line when it is no name.
        problem = None if name is None else name_problem(name)
        if problem is not None:
            raise InputFileError(where, f"invalid #egg= name: {problem}")
        return name
    if _BARE_NAME.match(requirement):
        return requirement
    try:
        return Requirement(requirement).name
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0][:200]  # packaging's words; the line is quoted
        raise InputFileError(
            where, f"invalid requirement {excerpt(requirement)}: {reason}"
        ) from None


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
