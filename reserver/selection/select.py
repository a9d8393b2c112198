"""The pure middle of a selection: targets and known names in, ranked rows out.

Each target's candidates are ranked in order (a name goes to the first target that meets
it); registry rules and the index's names give each row its status, and the budgets cut
the list.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

from ..errors import ReserverError
from ..index.listing import NameLookup
from ..names.import_names import import_names_for
from ..names.normalize import canonicalize
from ..names.ranking import (
    DUPLICATE,
    Ranked,
    RankJob,
    StatusOf,
    TargetRanking,
    apply_total_budget,
    budget_for,
    rank_target,
)
from ..names.rules import (
    BLOCKED,
    FREE,
    TAKEN,
    UNCHECKED,
    KnownNames,
    RegistryProfile,
)
from ..names.stdlib import is_module_only, removed_in, stdlib_projects
from ..names.targets import (
    INTERNAL,
    STDLIB,
    Target,
    stdlib_typo_names,
)
from .index_view import IndexView
from .model import SelectedName, Selection, SelectionOptions
from .prefetch import Head, continue_order

_DUPLICATE = (DUPLICATE, "already chosen for another target")
logger = logging.getLogger(__name__)


def _self_row(target: Target, status_of: StatusOf) -> SelectedName | None:
    status, why = status_of(target.name)
    if status == DUPLICATE:
        return None
    if target.source == STDLIB:
        version = removed_in(target.name)
        category = "removed" if version else "stdlib"
        if status == TAKEN and canonicalize(target.name) in stdlib_projects():
            # Known without asking the index: "exists on the index" would read oddly offline.
            why = "a PyPI project has this name, registered before PyPI refused module names"
        if target.shadows is not None and status in (FREE, UNCHECKED):
            # One wording for all, so the plan summary counts them as one reason.
            status, why = BLOCKED, "a public project has this name: a placeholder would hide it"
        reason = (
            why
            if status in (BLOCKED, TAKEN)
            else (
                f"removed from the standard library in Python {version}"
                if version
                else "standard-library module"
            )
        )
        return SelectedName(
            target.name,
            None,
            category,
            category,
            target.harm,
            status,
            reason,
            explain=f"{category}: {target.name}; {status}: {why}",
        )
    if status == TAKEN:
        reason = "exists on the index: anyone resolving it from there gets that project"
    elif status == BLOCKED:
        reason = why
    else:
        reason = "internal name: reserve it so it never resolves from this index"
    return SelectedName(
        target.name,
        None,
        INTERNAL,
        INTERNAL,
        1.0,
        status,
        reason,
        explain=f"internal: {target.name}; {status}: {why}",
    )


def _rows(ranked: Iterable[Ranked], explain: bool) -> list[SelectedName]:
    return [
        SelectedName(
            r.candidate.name,
            r.candidate.target,
            r.candidate.kind,
            r.candidate.category,
            r.score,
            r.status,
            r.reason,
            r.candidate.edit,
            r.candidate.steps,
            r.explain if explain else "",
        )
        for r in ranked
    ]


def rank_jobs(targets: Sequence[Target], options: SelectionOptions) -> list[RankJob]:
    """What to rank for each target: all but standard-library names nobody mistypes."""
    typo_stdlib = stdlib_typo_names()
    jobs: list[RankJob] = []
    for i, target in enumerate(targets):
        if target.source == STDLIB and target.name not in typo_stdlib:
            continue
        budget = (
            None
            if options.budget is None
            else budget_for(options.budget, target.harm, options.popular_bonus)
        )
        imports = options.extra_imports.get(canonicalize(target.name))
        import_names = None if imports is None else (*import_names_for(target.name), *imports)
        jobs.append(RankJob(i, target, budget, import_names, options.layouts, options.two_step))
    return jobs


def select(
    targets: Sequence[Target],
    known: KnownNames,
    profile: RegistryProfile,
    options: SelectionOptions | None = None,
    lookup: NameLookup | None = None,
    heads: Mapping[int, Head] | None = None,
) -> Selection:
    """Rank every target's candidates against ``known`` under ``profile`` and the budgets.

    A name is claimed by the first target that meets it, so the result has each project
    name once. ``lookup`` answers for names ``known`` cannot (small runs without a listing).
    ``heads`` holds, by target position, the start of a job's order made beforehand
    (:mod:`reserver.selection.prefetch`); the result is the same with or without them.
    """
    options = options or SelectionOptions()
    public = [t.name for t in targets if t.source not in (INTERNAL, STDLIB)]
    if profile.refuses_stdlib:
        # A module named as a target (``telnetlib``) is no project on such a registry, so
        # its look-alikes (``te1netlib``) are open to anyone: not "too similar" to it. The
        # few module names that are projects (``asyncio``) exist there, listing or not.
        public = [n for n in public if not is_module_only(canonicalize(n))]
        projects = stdlib_projects()
        public += [
            t.name for t in targets if t.source == STDLIB and canonicalize(t.name) in projects
        ]
    known = known.with_names(public)
    claimed: set[str] = set()
    status_of_canonical = IndexView(known, profile, None, lookup).canonical_status()

    def status_of(name: str) -> tuple[str, str]:
        key = canonicalize(name)  # ranked names are canonical already; targets may not be
        if key in claimed:
            return _DUPLICATE
        return status_of_canonical(key)

    own_rows: dict[int, SelectedName] = {}
    for i, target in enumerate(targets):
        if target.source in (INTERNAL, STDLIB):
            row = _self_row(target, status_of)
            if row is not None:
                own_rows[i] = row
                claimed.add(canonicalize(target.name))
    heads = {} if heads is None else heads  # not `or`: its length waits for the worker
    rankings: list[TargetRanking | None] = [None] * len(targets)
    for job in rank_jobs(targets, options):
        head = heads.get(job.index)
        order = job.order() if head is None else continue_order(job, head)
        ranking = rank_target(job.target, job.budget, status_of, order=order)
        claimed.update(r.candidate.name for r in (*ranking.selected, *ranking.skipped))
        rankings[job.index] = ranking
    if options.total_budget is not None:
        own_rows, rankings = _within_total(own_rows, rankings, options.total_budget)
    names: list[SelectedName] = []
    for i, kept in enumerate(rankings):
        if i in own_rows:
            names.append(own_rows[i])
        if kept is not None:
            logger.info("%s: %d names to hold, %d blocked or taken",
                        kept.target.name, len(kept.selected), len(kept.skipped))  # fmt: skip
            names.extend(_rows(kept.selected, options.explain))
            names.extend(_rows(kept.skipped, options.explain))
    checked = known.complete or lookup is not None
    return Selection(tuple(names), tuple(targets), profile, checked, known)


def _within_total(
    own_rows: dict[int, SelectedName],
    rankings: list[TargetRanking | None],
    total: int,
) -> tuple[dict[int, SelectedName], list[TargetRanking | None]]:
    """Every name to build counts against a total budget, a target's own name too.

    Internal names are always held (they are the organisation's own, the whole point of
    listing them) and come off the total first. A standard-library module held as itself
    (on an index that does not refuse it) competes with the typos by its harm: the chance
    of typing the module's name as it is is one, times how often it is asked for.
    """
    buildable = {i: row for i, row in own_rows.items() if row.status in (FREE, UNCHECKED)}
    internal = {i for i, row in buildable.items() if row.category == INTERNAL}
    if len(internal) > total:
        raise ReserverError(
            f"--total-budget {total} is less than the {len(internal)} internal names, "
            "which are always held: raise it"
        )
    competing = {row.name: row.score for i, row in buildable.items() if i not in internal}
    present = [r for r in rankings if r is not None]
    trimmed, kept = apply_total_budget(present, total - len(internal), competing)
    left = iter(trimmed)
    own_kept = {
        i: row
        for i, row in own_rows.items()
        if i not in buildable or i in internal or row.name in kept
    }
    return own_kept, [None if r is None else next(left) for r in rankings]
