"""What a selection is asked (options, request) and what it gives (rows, the selection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import platformdirs

from ..names.rules import (
    BLOCKED,
    EMPTY,
    FREE,
    UNCHECKED,
    KnownNames,
    RegistryProfile,
)
from ..names.targets import (
    Target,
)

#: The user's cache folder (XDG_CACHE_HOME/reserver on Linux), not the current folder: the
#: registry's listing is 40 MB, and every project folder would hold its own copy.
DEFAULT_CACHE = platformdirs.user_cache_path("reserver")


@dataclass(frozen=True)
class SelectionOptions:
    """How many names to pick and how to make them."""

    budget: int | None = 25
    """Names per target (None: every candidate)."""
    total_budget: int | None = None
    """Names across all targets, the best by score, when set."""
    popular_bonus: float = 0.0
    """Extra share of the budget for the most popular targets (1.0: up to twice as many)."""
    layouts: tuple[str, ...] = ("qwerty",)
    """Keyboard layouts for neighbour-key typos."""
    two_step: bool = True
    """Also make two-edit typos of the likeliest one-edit ones."""
    extra_imports: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Canonical distribution -> import names derived from its wheels."""
    explain: bool = False
    """Fill each row's ``explain`` (costs time on large runs)."""


class SelectedName(NamedTuple):
    """One row of a selection: a name, what it protects, and what the registry says.

    A named tuple because a large run makes a hundred thousand rows (see Candidate)."""

    name: str
    target: str | None
    kind: str
    category: str
    """typo, import, stdlib, removed or internal."""
    score: float
    status: str
    reason: str
    edit: str = ""
    steps: int = 1
    explain: str = ""

    def to_dict(self, explain: bool = False) -> dict[str, object]:
        row: dict[str, object] = {
            "name": self.name,
            "target": self.target,
            "kind": self.kind,
            "category": self.category,
            "score": self.score,
            "status": self.status,
            "reason": self.reason,
            "edit": self.edit,
            "steps": self.steps,
        }
        if explain:
            row["explain"] = self.explain
        return row


@dataclass(frozen=True)
class Selection:
    """Per target, the selected names in score order, then the blocked and taken ones."""

    names: tuple[SelectedName, ...]
    targets: tuple[Target, ...]
    profile: RegistryProfile
    checked: bool
    """True when an index was consulted (statuses are free/taken rather than unchecked)."""
    known: KnownNames = EMPTY
    """The names the index holds (with the targets), as the selection saw them."""

    def selected(self) -> list[SelectedName]:
        return [n for n in self.names if n.status in (FREE, UNCHECKED)]

    def blocked(self) -> list[SelectedName]:
        return [n for n in self.names if n.status == BLOCKED]


@dataclass(frozen=True)
class SelectionRequest:
    """Everything the ``generate`` and ``plan`` commands can ask for."""

    targets: tuple[str, ...] = ()
    stdlib: bool = False
    top: int | None = None
    popularity: str | None = None
    targets_file: Path | None = None
    index: str | None = None
    offline: bool = False
    registry: str | None = None
    cache_dir: Path | None = DEFAULT_CACHE
    allow_unknown: bool = False
    wheels: tuple[Path, ...] = ()
    options: SelectionOptions = field(default_factory=SelectionOptions)

    def has_targets(self) -> bool:
        return bool(self.targets or self.stdlib or self.top or self.targets_file)
