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
    """How the name differs, in the typo model's vocabulary (:data:`reserver.typo.kinds.KINDS`:
    omission, repetition, transposition, substitution, insertion, lookalike, separator,
    affix, word_order, word_dropped, two_edits, import_name)."""
    score: float
    """Confidence in [0, 1] that this is a mistake for ``target``; higher is surer."""
    detail: str = ""
    """A few words a person can check, such as "swapped 'e' and 'u'"."""


#: A finding scoring at least this is an error, below it a warning: the SARIF level, and what
#: ``check --fail-on error`` fails on. Measured on benchmarks/bench_check.py's data (corpus:
#: the top 10,000): at 0.8, 7 of the 2,527 projects ranked 10,001-15,000 of the report half
#: are flagged (0.3%) and 33 of the 183 validation squats, against 27 (1.1%) and 44 at the
#: reporting floor of 0.5.
ERROR_SCORE = 0.8
LEVELS = ("warning", "error")


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

    @property
    def level(self) -> str:
        """``error`` or ``warning`` (see :data:`ERROR_SCORE`)."""
        return "error" if self.match.score >= ERROR_SCORE else "warning"

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.match.name,
            "target": self.match.target,
            "kind": self.match.kind,
            "score": round(self.match.score, 3),
            "level": self.level,
            "detail": self.match.detail,
            "file": self.location.path if self.location else None,
            "line": self.location.line if self.location else None,
        }
