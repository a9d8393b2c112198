"""Targets: the names worth protecting, where each came from and the harm a squat of it does."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .normalize import canonicalize, name_problem
from .stdlib import all_stdlib_names, stdlib_typo_targets

GIVEN = "given"
FILE = "file"
POPULAR = "popular"
STDLIB = "stdlib"
INTERNAL = "internal"


@dataclass(frozen=True)
class Target:
    """A name to protect."""

    name: str
    """The name as given (a distribution, or a standard-library module)."""
    source: str
    """Where it came from: given, file, popular, stdlib or internal."""
    harm: float = 1.0
    """How much damage a squat would do, 0 < harm <= 1 (from popularity when known)."""
    downloads: int | None = None
    """Downloads over the popularity window, when known."""
    shadows: str | None = None
    """For a standard-library module: the public project its name also names (the
    ``importlib-metadata`` backport for ``importlib.metadata``), which a placeholder of the
    module's own name would hide on an index searched before the public one."""

    @property
    def internal(self) -> bool:
        """An internal name must never resolve from a public index (dependency confusion)."""
        return self.source == INTERNAL


#: The least harm a target with any evidence gets, so that its names still order among
#: themselves. Below the least downloaded project of a top-15,000 list (3e-5 of the first
#: in the 2026-04 snapshot), so it never lifts a measured harm.
MIN_HARM = 1e-6


def harm_from_downloads(downloads: int, most: int) -> float:
    """Harm in proportion to downloads, 1.0 for the most downloaded target.

    Linear, because what a squat costs is how many installs it catches: the installs asking
    for the target times the chance one is mistyped that way. (A log scale, used before,
    made the 10,000th project look a third as worth protecting as the first while it is
    downloaded 13,000 times less.)

    >>> harm_from_downloads(1000, 1000), harm_from_downloads(10, 1000)
    (1.0, 0.01)
    """
    if most <= 0:
        return 1.0
    return min(1.0, max(MIN_HARM, max(downloads, 0) / most))


def demand_from_use(
    measured: Mapping[str, float], uses: Mapping[str, int], floor: float
) -> dict[str, float]:
    """Harms for modules whose demand is not measured, predicted from how many projects
    import them (``uses``): the least-squares line of log(measured harm) on log(1 + uses)
    over the modules that have both, clipped to [``floor``, the highest measured harm].

    Harm is linear in downloads, which span orders of magnitude, so the line is fitted to
    their logarithms (a power law of use) and the prediction taken back out of them.

    Only modules some project imports are predicted, and only when more use goes with more
    demand among the measured ones: otherwise use says nothing, and they keep ``floor``.

    >>> measured = {"asyncio": 0.03, "argparse": 0.01, "graphlib": 0.0001}
    >>> uses = {"asyncio": 150, "argparse": 190, "graphlib": 4, "urllib": 238, "idlelib": 2}
    >>> {k: round(v, 5) for k, v in demand_from_use(measured, uses, 0.00005).items()}
    {'idlelib': 5e-05, 'urllib': 0.02768}
    """
    pairs = [(math.log1p(uses[m]), math.log(h)) for m, h in measured.items() if uses.get(m, 0) > 0]
    if len(pairs) < 3:
        return {}
    mean_x = sum(x for x, _ in pairs) / len(pairs)
    mean_y = sum(y for _, y in pairs) / len(pairs)
    spread = sum((x - mean_x) ** 2 for x, _ in pairs)
    if spread == 0:
        return {}
    slope = sum((x - mean_x) * (y - mean_y) for x, y in pairs) / spread
    if slope <= 0:
        return {}
    ceiling = max(y for _, y in pairs)
    return {
        module: max(floor, math.exp(min(ceiling, mean_y + slope * (math.log1p(count) - mean_x))))
        for module, count in sorted(uses.items())
        if count > 0 and module not in measured
    }


def stdlib_targets(
    demand: Mapping[str, float], unmeasured: float, public: Mapping[str, str] | None = None
) -> list[Target]:
    """Every standard-library module and dotted prefix that is a valid project name.

    A module's harm is how often its name is asked of pip (``demand``, by canonical name; see
    :func:`reserver.targets.popularity.stdlib_demand`): measured where the popularity data lists a
    PyPI project of the same name (``asyncio``, ``argparse`` and ``typing`` are downloaded by
    people who meant the standard library) or the drop-in of a removed module
    (``standard-telnetlib``), else predicted from how widely the module is imported. Modules
    with neither get ``unmeasured``: the harm of the least popular project the data lists,
    which they do not outrank. ``public`` maps canonical names to the public projects that
    bear them, which a module of the same name must not shadow (:attr:`Target.shadows`).

    >>> targets = {t.name: t for t in stdlib_targets({"asyncio": 0.4}, 0.2, {"asyncio": "asyncio"})}
    >>> targets["asyncio"].harm, targets["pwd"].harm, targets["asyncio"].shadows
    (0.4, 0.2, 'asyncio')
    """
    public = public or {}
    names = sorted({n for n in all_stdlib_names() if name_problem(n) is None})
    return [
        Target(n, STDLIB, demand.get(key, unmeasured), shadows=public.get(key))
        for n in names
        for key in (canonicalize(n),)
    ]


def stdlib_typo_names() -> frozenset[str]:
    """The standard-library targets whose typos are worth reserving (top-level, public)."""
    return frozenset(stdlib_typo_targets())


def check_target_names(names: Iterable[str]) -> None:
    """Raise ValueError naming the first target that is not a valid project name."""
    for name in names:
        problem = name_problem(name)
        if problem is not None:
            raise ValueError(f"target {name!r}: {problem}")


def merge_targets(groups: Sequence[Iterable[Target]]) -> list[Target]:
    """One target per canonical name, first source winning, highest harm kept; order kept."""
    merged: dict[str, Target] = {}
    for group in groups:
        for target in group:
            key = canonicalize(target.name)
            held = merged.get(key)
            if held is None:
                merged[key] = target
            elif target.harm > held.harm:
                merged[key] = replace(held, harm=target.harm, downloads=target.downloads)
    return list(merged.values())
