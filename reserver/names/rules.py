"""Registry rules as profiles, and the status of a name against a profile and the names that exist.

PyPI and TestPyPI refuse invalid names, standard-library names and names "too similar" to
an existing project; a private index (pypiserver, devpi, a proxy) refuses none of that, so
there those names need placeholders themselves. Which rules apply is chosen by the target
index, never hard-wired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .normalize import canonicalize, is_valid_name, name_problem, ultranormalize
from .stdlib import prohibited_stdlib_names

FREE = "free"
TAKEN = "taken"
BLOCKED = "blocked"
UNCHECKED = "unchecked"
STATUSES: tuple[str, ...] = (FREE, TAKEN, BLOCKED, UNCHECKED)


@dataclass(frozen=True)
class RegistryProfile:
    """What one kind of index refuses, and how fast it lets new projects in."""

    name: str
    """Short name: pypi, testpypi or private."""
    refuses_stdlib: bool
    """Standard-library modules and their dotted prefixes, in every covered version."""
    refuses_too_similar: bool
    """Names whose ultranormalised form equals that of any existing project."""
    prohibited: frozenset[str] = field(default_factory=frozenset)
    """Canonical names the administrators prohibit outright."""
    new_projects_per_hour: int | None = None
    """Rate limit on creating projects (per user), None when there is none."""


PYPI = RegistryProfile("pypi", True, True, new_projects_per_hour=20)
TESTPYPI = RegistryProfile("testpypi", True, True, new_projects_per_hour=20)
PRIVATE = RegistryProfile("private", False, False)
PROFILES: dict[str, RegistryProfile] = {p.name: p for p in (PYPI, TESTPYPI, PRIVATE)}

_PYPI_HOSTS = frozenset({"pypi.org", "upload.pypi.org", "pypi.python.org", "files.pythonhosted.org"})
_TESTPYPI_HOSTS = frozenset({"test.pypi.org", "test-files.pythonhosted.org"})


def profile_for_index(index: str | None) -> RegistryProfile:
    """The rules of the index at URL ``index``; PyPI's when there is no URL (offline, a file).

    >>> profile_for_index("https://test.pypi.org/simple/").name
    'testpypi'
    >>> profile_for_index("http://127.0.0.1:8080/simple/").name
    'private'
    """
    if index is None or not index.startswith(("http://", "https://")):
        return PYPI
    host = (urlsplit(index).hostname or "").lower()
    if host in _TESTPYPI_HOSTS:
        return TESTPYPI
    if host in _PYPI_HOSTS:
        return PYPI
    return PRIVATE


def profile_named(name: str) -> RegistryProfile:
    """A profile by its short name; ValueError naming the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown registry profile {name!r} (known: {', '.join(PROFILES)})"
        ) from None


def _fast_canonical(name: str) -> str:
    lowered = name.lower()
    # Most listed names are already canonical; the regex only runs for the rest.
    if "_" in lowered or "." in lowered or "--" in lowered:
        return canonicalize(lowered)
    return lowered


def _index_ultra(ultra: dict[str, str], names: Iterable[str]) -> None:
    # The smallest name wins a shared key, so the result does not depend on set order.
    for name in names:
        key = ultranormalize(name)
        held = ultra.get(key)
        if held is None or name < held:
            ultra[key] = name


@dataclass(frozen=True)
class KnownNames:
    """The projects that exist on an index, as the registry compares them."""

    canonical: frozenset[str]
    """PEP 503 names of every existing project."""
    ultra: dict[str, str]
    """Ultranormalised key -> one canonical name holding it (for "too similar")."""
    complete: bool
    """True when this is the index's whole listing: a name absent here is free."""

    @classmethod
    def from_names(cls, names: Iterable[str], complete: bool) -> KnownNames:
        """Index ``names`` (any spelling) for membership and "too similar" look-ups."""
        canonical = frozenset(_fast_canonical(n) for n in names)
        ultra: dict[str, str] = {}
        _index_ultra(ultra, canonical)
        return cls(canonical, ultra, complete)

    def with_names(self, names: Iterable[str]) -> KnownNames:
        """A copy that also knows ``names`` (the targets themselves, known to exist)."""
        extra = {_fast_canonical(n) for n in names} - self.canonical
        if not extra:
            return self
        ultra = dict(self.ultra)
        _index_ultra(ultra, extra)
        return KnownNames(self.canonical | extra, ultra, self.complete)

    def __len__(self) -> int:
        return len(self.canonical)


EMPTY = KnownNames(frozenset(), {}, complete=False)


def name_status(
    name: str, profile: RegistryProfile, known: KnownNames = EMPTY
) -> tuple[str, str]:
    """``(status, reason)`` of ``name`` on an index with ``profile`` where ``known`` exist.

    Taken comes first: a name someone holds is theirs whatever the rules say now. A
    blocked name needs no placeholder, nobody can register it.

    >>> name_status("jeIlyfish", PYPI, KnownNames.from_names(["jellyfish"], complete=True))
    ('blocked', "too similar to existing project 'jellyfish'")
    """
    if not is_valid_name(name):
        return BLOCKED, f"invalid name: {name_problem(name)}"
    canonical = _fast_canonical(name)
    if canonical in known.canonical:
        return TAKEN, "exists on the index"
    if profile.refuses_stdlib and canonical in prohibited_stdlib_names():
        return BLOCKED, "standard-library module name"
    if canonical in profile.prohibited:
        return BLOCKED, "prohibited by the registry's administrators"
    if profile.refuses_too_similar:
        other = known.ultra.get(ultranormalize(canonical))
        if other is not None:
            return BLOCKED, f"too similar to existing project {other!r}"
    return (FREE, "not on the index") if known.complete else (UNCHECKED, "index not consulted")
