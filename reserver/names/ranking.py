"""Ranking under a budget: the likeliest typos of each target that someone could register.

Score = how likely a person is to type the name (kind of slip, key distance, position,
length: the candidate's own score) times how much harm a squat would do (the target's
popularity). Names the registry refuses or someone already holds never use budget; they are
reported beside the selection. Same input, same output: ties break on the name.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from ..typo.model import Deferred
from .candidates import Candidate, Scored, candidate_groups
from .rules import BLOCKED, FREE, TAKEN, UNCHECKED
from .targets import Target

#: Returned by a status function for a name another target already claimed: it is
#: neither selected nor reported again for this target.
DUPLICATE = "duplicate"

StatusOf = Callable[[str], tuple[str, str]]


class Ranked(NamedTuple):
    """A candidate with its registry status and final score (a named tuple, like Candidate)."""

    candidate: Candidate
    status: str
    """free, unchecked (selected), or taken, blocked (skipped)."""
    reason: str
    """Why it was chosen, or why it cannot be reserved."""
    score: float
    """Likelihood times harm: what orders names across targets."""
    harm: float
    """The target's harm factor that went into the score."""
    why: str
    """The registry's word on the name (``not on the index``, ``too similar to ...``)."""

    @property
    def explain(self) -> str:
        """The whole reasoning in one line, for ``--explain``."""
        c = self.candidate
        return (
            f"{c.kind} ({c.edit}); likelihood {c.score:.3g} x harm {self.harm:.3g} = "
            f"{self.score:.3g}; {self.status}: {self.why}"
        )


@dataclass(frozen=True, slots=True)
class TargetRanking:
    """What one target gets: the names to reserve, and those skipped above the cut."""

    target: Target
    selected: tuple[Ranked, ...]
    skipped: tuple[Ranked, ...]


def budget_for(base: int, harm: float, popular_bonus: float = 0.0) -> int:
    """Names a target may use: ``base``, plus up to ``popular_bonus`` times more when popular.

    >>> budget_for(25, 1.0, 1.0), budget_for(25, 0.5, 1.0), budget_for(25, 1.0)
    (50, 38, 25)
    """
    return max(0, int(base * (1.0 + max(popular_bonus, 0.0) * harm) + 0.5))


_KIND_WORDS = {"import_name": "import name of"}


def _ranked(
    target: Target, name: str, entry: tuple[float, str, str, int], status: str, why: str
) -> Ranked:
    likelihood, kind, edit, steps = entry
    category = "import" if kind == "import_name" else "typo"
    candidate = Candidate(name, target.name, kind, edit, round(likelihood, 6), steps, category)
    # Significant digits, not decimals: harms go down to 1e-6 (linear in downloads), and a
    # score rounded to six decimals would tie every name of a little-downloaded target at 0.
    score = float(f"{likelihood * target.harm:.6g}")
    if status in (FREE, UNCHECKED):
        reason = f"{_KIND_WORDS.get(kind, 'typo of')} {target.name}: {edit}"
    else:
        reason = why
    return Ranked(candidate, status, reason, score, target.harm, why)


#: A candidate name and its ``(likelihood, kind, edit, steps)``, as the ranking meets them.
Ordered = tuple[str, tuple[float, str, str, int]]


def ranked_order(
    target: str,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
) -> Iterator[Ordered]:
    """Every candidate of ``target``, likeliest first (ties by name), made as it is asked for.

    Generators run likeliest first, and a name is handed out only once what it scores beats
    every generator still to run. A caller that wants the best 25 stops after a fraction
    of the variants were made, and still gets exactly what a full sort would give.
    """
    groups = candidate_groups(
        target, kinds=kinds, layouts=layouts, import_names=import_names, two_step=two_step
    )
    best: Scored = {}
    done: set[str] = set()
    # Groups wait in a heap by bound (ties by label, then order): a costly group may answer
    # with a tighter bound (Deferred) and go back in line.
    pending = [(-bound, label, order, run) for order, (bound, label, run) in enumerate(groups)]
    heapq.heapify(pending)
    later = len(pending)
    heap: list[tuple[float, str]] = []
    push, pop = heapq.heappush, heapq.heappop
    while pending:
        _, label, _, run = pop(pending)
        out = run(best)
        if isinstance(out, Deferred):
            for bound, part in out.parts:
                push(pending, (-bound, label, later, part))
                later += 1
        else:
            for name in out:
                push(heap, (-best[name][0], name))
        floor = -pending[0][0] if pending else -1.0
        while heap and -heap[0][0] > floor:
            negative, name = pop(heap)
            entry = best[name]
            if name in done or -negative != entry[0]:
                continue  # already handed out, or a stale entry from before a raise
            done.add(name)
            yield name, entry


@dataclass(frozen=True)
class RankJob:
    """One target to rank, with everything that decides the order of its candidates."""

    index: int
    """The target's position in the run (its rows go there)."""
    target: Target
    budget: int | None
    import_names: tuple[str, ...] | None = None
    layouts: tuple[str, ...] = ("qwerty",)
    two_step: bool = True

    def order(self) -> Iterator[Ordered]:
        """:func:`ranked_order` of this job's target."""
        return ranked_order(
            self.target.name,
            layouts=self.layouts,
            import_names=self.import_names,
            two_step=self.two_step,
        )


def rank_target(
    target: Target,
    budget: int | None,
    status_of: StatusOf,
    *,
    kinds: Iterable[str] | None = None,
    layouts: tuple[str, ...] = ("qwerty",),
    import_names: Iterable[str] | None = None,
    two_step: bool = True,
    order: Iterable[Ordered] | None = None,
) -> TargetRanking:
    """The best ``budget`` reservable candidates of ``target`` (all when None), and the
    taken or blocked ones that ranked above the last of them.

    ``order`` is :func:`ranked_order` of the target when the caller made it already (in
    another process, say); it must be exactly that sequence.
    """
    if budget is not None and budget <= 0:
        return TargetRanking(target, (), ())
    if order is None:
        order = ranked_order(
            target.name, kinds=kinds, layouts=layouts, import_names=import_names, two_step=two_step
        )
    selected: list[Ranked] = []
    skipped: list[Ranked] = []
    for name, entry in order:
        status, why = status_of(name)
        if status == DUPLICATE:
            continue
        ranked = _ranked(target, name, entry, status, why)
        if status in (FREE, UNCHECKED):
            selected.append(ranked)
            if budget is not None and len(selected) >= budget:
                break
        elif status in (TAKEN, BLOCKED):
            skipped.append(ranked)
        else:
            raise ValueError(f"unknown status {status!r} for {name!r}")
    return TargetRanking(target, tuple(selected), tuple(skipped))


def apply_total_budget(
    rankings: Sequence[TargetRanking],
    total: int,
    own: Mapping[str, float] | None = None,
) -> tuple[list[TargetRanking], frozenset[str]]:
    """Keep the ``total`` best names across all targets (by score, then name): the rankings
    cut to the kept names, and which of ``own`` (names held as themselves, such as a
    standard-library module on a private index, with their scores) are kept.

    Popular targets win more of a tight total because harm is part of the score.

    >>> apply_total_budget([], 1, {"pwd": 0.5, "asyncio": 0.9})
    ([], frozenset({'asyncio'}))
    """
    own = own or {}
    everything = sorted(
        [
            *((r.score, i, r.candidate.name) for i, t in enumerate(rankings) for r in t.selected),
            *((score, -1, name) for name, score in own.items()),
        ],
        key=lambda item: (-item[0], item[2]),
    )
    keep = {(i, name) for _, i, name in everything[: max(total, 0)]}
    trimmed = [
        replace(t, selected=tuple(r for r in t.selected if (i, r.candidate.name) in keep))
        for i, t in enumerate(rankings)
    ]
    return trimmed, frozenset(name for i, name in keep if i == -1)
