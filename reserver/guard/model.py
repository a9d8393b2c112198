"""Records the guard passes between its parts: where a name came from, and what was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a dependency file."""

    path: str
    """The file, as the user named it (or as reached through an include)."""
    line: int | None = None
    """1-based line number, when the format lets us know it."""

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Dependency:
    """One package name a project asks for, and where it asks for it."""

    name: str
    """The name exactly as written."""
    location: Location | None = None
    """Where it was read; None for names given on the command line."""


@dataclass(frozen=True)
class Match:
    """A name that looks like a mistake for a popular or protected package."""

    name: str
    """The suspicious name as written."""
    target: str
    """The package the user probably meant."""
    kind: str
    """How the name differs: transposition, omission, repetition, keyboard, substitution,
    insertion, misspelling (two slips), homoglyph, separator, word-order, affix,
    version-suffix or import-name."""
    score: float
    """Confidence in [0, 1] that this is a mistake for ``target``; higher is surer."""
    detail: str = ""
    """A few words a person can check, such as "swapped 'e' and 'u'"."""


@dataclass(frozen=True)
class Finding:
    """A match tied to the place the name was found."""

    match: Match
    location: Location | None = None

    @property
    def name(self) -> str:
        return self.match.name

    @property
    def target(self) -> str:
        return self.match.target

    @property
    def kind(self) -> str:
        return self.match.kind

    @property
    def score(self) -> float:
        return self.match.score

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.match.name,
            "target": self.match.target,
            "kind": self.match.kind,
            "score": round(self.match.score, 3),
            "detail": self.match.detail,
            "file": self.location.path if self.location else None,
            "line": self.location.line if self.location else None,
        }
