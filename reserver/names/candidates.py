"""Candidates: the valid, distinct names a target's typos produce, with kind, edit and score.

The typo model (:mod:`reserver.typo`) makes and prices them; this module names the record
the ranking passes on and adds the target's import names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ..typo.kinds import IMPORT_NAME
from ..typo.model import Group, Scored, default_model, run_group
from .import_names import import_names_for
from .normalize import canonicalize

__all__ = ["Candidate", "Group", "Scored", "candidate_groups", "generate_candidates"]


class Candidate(NamedTuple):
    """A name derived from a target, and why.

    A named tuple rather than a frozen dataclass: the engine makes a few hundred thousand of
    them per run, and a frozen dataclass pays for every field on construction.
    """

    name: str
    """The candidate name in PEP 503 canonical form (what the index compares)."""
    target: str
    """The name it imitates, as given."""
    kind: str
    """The kind of edit that made it (``omission``, ...; see :mod:`reserver.typo.kinds`)."""
    edit: str
    """What the edit was, in words (``missing 'l' at 2``)."""
    score: float
    """P(a person or attacker types it for the target) under the fitted model (before harm)."""
    steps: int = 1
    """Number of edits from the target."""
    category: str = "typo"
    """What the placeholder would say: ``typo`` or ``import``."""


def candidate_groups(
    target: str,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
) -> list[Group]:
    """The candidate generators of ``target`` as ``(bound, label, run)``, likeliest first.

    Every score a group gives is at most its bound, so a caller that needs only the best
    few names can stop once what it holds beats every bound still to run (the ranking does).
    """
    imports = import_names_for(target) if import_names is None else tuple(import_names)
    return default_model(tuple(layouts)).groups(
        target, import_names=imports, two_step=two_step, kinds=kinds
    )


def score_variants(
    target: str,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
) -> Scored:
    """Every candidate name of ``target`` mapped to ``(score, kind, edit, steps)``."""
    best: Scored = {}
    for _, _, run in candidate_groups(
        target, kinds=kinds, layouts=layouts, import_names=import_names, two_step=two_step
    ):
        run_group(run, best)
    return best


def generate_candidates(
    target: str,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
) -> list[Candidate]:
    """Every candidate for ``target``, likeliest first (ties broken by name).

    Each is a valid project name in canonical form that differs from the target after
    PEP 503 normalisation, and carries the kind and the edit that made it.

    >>> first = generate_candidates("requests")[0]
    >>> first.target, first.kind in ("omission", "repetition", "transposition")
    ('requests', True)
    """
    scored = score_variants(
        target, kinds=kinds, layouts=layouts, import_names=import_names, two_step=two_step
    )
    canon = canonicalize(target)
    return [
        Candidate(
            name,
            target,
            kind,
            edit,
            round(score, 9),
            steps,
            "import" if kind == IMPORT_NAME else "typo",
        )
        for name, (score, kind, edit, steps) in sorted(
            scored.items(), key=lambda item: (-item[1][0], item[0])
        )
        if name != canon
    ]
