"""Registry rules as profiles, and the status of a name against a profile and the names that exist.

PyPI and TestPyPI refuse invalid names, standard-library names and names "too similar" to
an existing project; a private index (pypiserver, devpi, a proxy) refuses none of that, so
there those names need placeholders themselves. Which rules apply is chosen by the target
index, never hard-wired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from .normalize import (
    ULTRA_TABLE,
    canonicalize,
    is_valid_name,
    name_problem,
    ultranormalize_canonical,
)
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
    refuses_local_versions: bool = False
    """Versions with a local label (``1.0+acme``), which PyPI refuses on upload."""
    public: bool = False
    """Everyone installs from it: what is published there must name a real holder."""

    def version_problem(self, version: str) -> str | None:
        """Why this registry refuses a placeholder ``version``, or None.

        >>> PYPI.version_problem("1.0+local"), PRIVATE.version_problem("1.0+local")
        ("pypi refuses local versions such as '1.0+local'; use a public version like 1.0", None)
        """
        if self.refuses_local_versions and "+" in version:
            public = version.split("+", 1)[0]
            return (
                f"{self.name} refuses local versions such as {version!r}; "
                f"use a public version like {public}"
            )
        return None


PYPI = RegistryProfile(
    "pypi", True, True, new_projects_per_hour=20, refuses_local_versions=True, public=True
)
TESTPYPI = RegistryProfile(
    "testpypi", True, True, new_projects_per_hour=20, refuses_local_versions=True, public=True
)
PRIVATE = RegistryProfile("private", False, False)
PROFILES: dict[str, RegistryProfile] = {p.name: p for p in (PYPI, TESTPYPI, PRIVATE)}


def profile_named(name: str) -> RegistryProfile:
    """A profile by its short name; ValueError naming the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown registry profile {name!r} (known: {', '.join(PROFILES)})"
        ) from None


@dataclass(frozen=True)
class KnownNames:
    """The projects that exist on an index, as the registry compares them.

    Built once from a listing of up to a million names, then extended with a few more (the
    targets) through a small overlay, so the big tables are never copied.
    """

    canonical: frozenset[str]
    """PEP 503 names of every existing project in the listing."""
    ultra: Mapping[str, str]
    """Ultranormalised key -> a canonical name holding it (for "too similar")."""
    complete: bool
    """True when this is the index's whole listing: a name absent here is free."""
    extra: frozenset[str] = frozenset()
    """Names known to exist besides the listing (the targets themselves)."""
    extra_ultra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_names(cls, names: Iterable[str], complete: bool) -> KnownNames:
        """Index ``names`` (any spelling) for membership and "too similar" look-ups.

        Where several names share a key, the last one listed is reported: the same listing
        always gives the same answer.
        """
        # A listing has up to a million names: normalise them as one text, so the regex and
        # the translation run once in C instead of once per name in Python.
        listed = list(names)
        text = "\n".join(listed)
        if text.count("\n") != len(listed) - 1:  # a name with a line break is no name
            listed = [n for n in listed if "\n" not in n]
            text = "\n".join(listed)
        if not listed:
            return cls(frozenset(), {}, complete)
        lowered = text.lower()
        # PEP 503's "runs of -_. become one -" as plain replaces: a tenth of the regex's time.
        dashed = lowered.replace("_", "-").replace(".", "-")
        while "--" in dashed:
            dashed = dashed.replace("--", "-")
        ordered = dashed.split("\n")
        keys = lowered.translate(ULTRA_TABLE).split("\n")
        return cls(frozenset(ordered), dict(zip(keys, ordered, strict=True)), complete)

    def with_names(self, names: Iterable[str]) -> KnownNames:
        """A copy that also knows ``names`` (the targets themselves, known to exist)."""
        new = [n for n in dict.fromkeys(canonicalize(n) for n in names) if n not in self]
        if not new:
            return self
        extra_ultra = dict(self.extra_ultra)
        extra_ultra.update(zip(map(ultranormalize_canonical, new), new, strict=True))
        return replace(self, extra=self.extra | frozenset(new), extra_ultra=extra_ultra)

    def __contains__(self, canonical: object) -> bool:
        return canonical in self.canonical or canonical in self.extra

    def similar(self, canonical: str) -> str | None:
        """An existing name "too similar" to canonical name ``canonical``, if any."""
        key = ultranormalize_canonical(canonical)
        found = self.ultra.get(key)
        return found if found is not None else self.extra_ultra.get(key)

    def names(self) -> frozenset[str]:
        """Every known canonical name (listing and overlay)."""
        return self.canonical | self.extra

    def __len__(self) -> int:
        return len(self.canonical) + len(self.extra)


EMPTY = KnownNames(frozenset(), {}, complete=False)


def name_status(
    name: str, profile: RegistryProfile, known: KnownNames = EMPTY, *, valid: bool = False
) -> tuple[str, str]:
    """``(status, reason)`` of ``name`` on an index with ``profile`` where ``known`` exist.

    Taken comes first: a name someone holds is theirs whatever the rules say now. A
    blocked name needs no placeholder, nobody can register it.

    >>> name_status("jeIlyfish", PYPI, KnownNames.from_names(["jellyfish"], complete=True))
    ('blocked', "too similar to existing project 'jellyfish'")
    """
    # ``valid``: the caller made the name itself (fuzzers only emit valid names).
    if not valid and not is_valid_name(name):
        return BLOCKED, f"invalid name: {name_problem(name)}"
    return canonical_status(profile, known)(canonicalize(name))


_EXISTS = (TAKEN, "exists on the index")
_STDLIB = (BLOCKED, "standard-library module name")
_PROHIBITED = (BLOCKED, "prohibited by the registry's administrators")


def canonical_status(
    profile: RegistryProfile, known: KnownNames
) -> Callable[[str], tuple[str, str]]:
    """:func:`name_status` for valid names already in canonical form, as one function.

    The engine asks this for every candidate it ranks (over a hundred thousand per run):
    what depends only on the profile is settled once, and the answers are constants.
    """
    stdlib = prohibited_stdlib_names() if profile.refuses_stdlib else frozenset()
    prohibited = profile.prohibited
    too_similar = profile.refuses_too_similar
    otherwise = (FREE, "not on the index") if known.complete else (UNCHECKED, "index not consulted")

    def status(name: str) -> tuple[str, str]:
        if name in known:
            return _EXISTS
        if name in stdlib:
            return _STDLIB
        if name in prohibited:
            return _PROHIBITED
        if too_similar:
            other = known.similar(name)
            if other is not None:
                return BLOCKED, f"too similar to existing project {other!r}"
        return otherwise

    return status
