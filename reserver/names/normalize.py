"""Name normalisation and validation as package indexes apply them (PEP 503, 508, 625)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from ..errors import excerpt

_Item = TypeVar("_Item")

# The registry's own name rule (PEP 508 identifier), applied case-insensitively to ASCII.
_VALID_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z", re.IGNORECASE | re.ASCII)
_SEPARATOR_RUNS = re.compile(r"[-_.]+")
#: PyPI's "too similar" key, defined once: after lowercasing, the separators are dropped and
#: the letters that pass for digits become those digits. ``ultranormalize`` and the
#: registry's bulk and per-name fast paths (:mod:`.rules`) all translate with these tables.
ULTRA_SEPARATORS = "._-"
ULTRA_LOOKALIKES = {"l": "1", "i": "1", "o": "0"}
ULTRA_TABLE = str.maketrans({**dict.fromkeys(ULTRA_SEPARATORS), **ULTRA_LOOKALIKES})
_ULTRA_BYTES = bytes.maketrans(
    "".join(ULTRA_LOOKALIKES).encode(), "".join(ULTRA_LOOKALIKES.values()).encode()
)
_ULTRA_DROP_BYTES = ULTRA_SEPARATORS.encode()

#: Longest name we accept. PyPI has no documented limit, but long names break file systems
#: (sdist directory names) and nobody mistypes a 200-character name.
MAX_NAME_LENGTH = 128


def is_valid_name(name: str) -> bool:
    """True when ``name`` is a syntactically valid project name.

    >>> is_valid_name("requests"), is_valid_name("-x"), is_valid_name("re quests")
    (True, False, False)
    """
    return len(name) <= MAX_NAME_LENGTH and _VALID_NAME.match(name) is not None


def name_problem(name: str) -> str | None:
    """Say in words what is wrong with ``name``, or None when it is a valid project name."""
    if is_valid_name(name):  # one regex; the checks below only explain a failure
        return None
    if not name:
        return "the name is empty"
    # The length first: the messages below quote the name, and a name read from a file can
    # be a whole 5 MB line. The quote is redacted too (a "password=..." line is no name).
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is {len(name)} characters long (at most {MAX_NAME_LENGTH})"
    shown = excerpt(name, MAX_NAME_LENGTH)
    if not name.isascii():
        return f"{shown} contains non-ASCII characters"
    if any(c.isspace() for c in name):
        return f"{shown} contains whitespace"
    if not _VALID_NAME.match(name):
        return (
            f"{shown} is not a valid package name (letters, digits, '.', '_' and '-' only, "
            "starting and ending with a letter or digit)"
        )
    return None


def validate_name(name: str) -> str:
    """Return ``name`` unchanged if valid; raise ValueError with a one-line reason otherwise."""
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return name


def canonicalize(name: str) -> str:
    """PEP 503 normal form: lowercase, every run of ``-_.`` becomes one ``-``.

    >>> canonicalize("Foo__Bar.baz")
    'foo-bar-baz'
    """
    # Nearly every name is already lowercase words and single dashes: without "_", "." or
    # "--" there is no run to collapse, and skipping the regex makes this 5x cheaper on
    # the engine's hundreds of thousands of calls.
    if "_" not in name and "." not in name and "--" not in name:
        return name.lower()
    return _SEPARATOR_RUNS.sub("-", name).lower()


def first_of_each(items: Iterable[_Item], name: Callable[[_Item], str]) -> list[_Item]:
    """``items`` in order, each project once: an item whose ``name`` is canonically one
    seen before is left out, however it is spelled.

    >>> first_of_each(["Foo.Bar", "baz", "foo-bar", "FOO_BAR"], str)
    ['Foo.Bar', 'baz']
    """
    first: dict[str, _Item] = {}
    for item in items:
        first.setdefault(canonicalize(name(item)), item)
    return list(first.values())


def ultranormalize(name: str) -> str:
    """PyPI's "too similar" key: drop ``._-``, lowercase, map ``l``/``i`` to 1 and ``o`` to 0.

    >>> ultranormalize("Py-Lo.ok")
    'py100k'
    """
    return name.lower().translate(ULTRA_TABLE)


def ultranormalize_canonical(name: str) -> str:
    """:func:`ultranormalize` of a name already in canonical form (lowercase), faster.

    >>> ultranormalize_canonical("py-lo-ok")
    'py100k'
    """
    # The engine asks this of every candidate it ranks. For ASCII (every valid name)
    # bytes.translate takes a third of str.translate's time on a short name.
    if name.isascii():
        return name.encode().translate(_ULTRA_BYTES, _ULTRA_DROP_BYTES).decode()
    return name.translate(ULTRA_TABLE)


def sdist_filename_stem(name: str) -> str:
    """The project part of a PEP 625 sdist file name: runs of ``-_.`` become ``_``, lowercase.

    >>> sdist_filename_stem("Foo-Bar.baz")
    'foo_bar_baz'
    """
    return _SEPARATOR_RUNS.sub("_", name).lower()
