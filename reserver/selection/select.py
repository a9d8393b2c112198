"""The selection API: targets -> candidates -> registry rules -> ranking/budget -> plan entries.

``run_selection`` does the whole thing from user-level options (what the CLI passes);
``select`` is the pure middle for callers that already hold targets and known names.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import platformdirs

from .._files import read_text_file
from .._gcpause import collector_paused
from ..errors import ReserverError, excerpt
from ..index.listing import NameLookup, names_of
from ..names.import_names import import_names_for, top_level_from_record, top_level_from_text
from ..names.normalize import canonicalize, is_valid_name, name_problem
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
    EMPTY,
    FREE,
    TAKEN,
    UNCHECKED,
    KnownNames,
    RegistryProfile,
    canonical_status,
    name_status,
    profile_for_index,
    profile_named,
)
from ..names.stdlib import removed_in
from ..names.targets import (
    FILE,
    GIVEN,
    INTERNAL,
    STDLIB,
    Target,
    merge_targets,
    stdlib_targets,
    stdlib_typo_names,
)
from ..plan.model import PlanEntry, engine_entry, entry_for
from ..targets.popularity import load_popular, popular_targets, stdlib_demand
from .prefetch import Head, Prefetch, continue_order

DEFAULT_INDEX = "https://pypi.org/simple/"
#: The user's cache folder (XDG_CACHE_HOME/reserver on Linux), not the current folder: the
#: registry's listing is 40 MB, and every project folder would hold its own copy.
DEFAULT_CACHE = platformdirs.user_cache_path("reserver")
#: Runs with at most this many targets may fall back to per-name look-ups.
SMALL_RUN = 10
_DUPLICATE = (DUPLICATE, "already chosen for another target")

logger = logging.getLogger(__name__)


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


#: A targets file lists the projects to protect: thousands of names, not megabytes.
TARGETS_FILE_BYTES = 16 * 1024 * 1024


def read_targets_file(path: Path) -> list[Target]:
    """One name per line; ``NAME internal`` marks a name that must never resolve publicly.

    ``#`` starts a comment. Any bad line is an error naming the line: a half-read list of
    names to protect is worse than none.
    """
    text = read_text_file(path, "targets file", limit=TARGETS_FILE_BYTES)
    targets: list[Target] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and parts[1] != INTERNAL):
            raise ReserverError(
                f"{path}:{number}: expected 'NAME' or 'NAME internal', got {excerpt(line)}"
            )
        problem = name_problem(parts[0])
        if problem is not None:
            raise ReserverError(f"{path}:{number}: {problem}")
        targets.append(Target(parts[0], INTERNAL if len(parts) == 2 else FILE))
    if not targets:
        raise ReserverError(f"{path}: no target names in the file")
    return targets


def import_names_from_wheel(path: Path) -> tuple[str, tuple[str, ...]]:
    """``(distribution, import names)`` read from a wheel's top_level.txt or RECORD."""
    try:
        with zipfile.ZipFile(path) as wheel:
            infos = [n for n in wheel.namelist() if n.count("/") == 1 and ".dist-info/" in n]
            dist_info = next((n.split("/")[0] for n in infos), None)
            if dist_info is None:
                raise ReserverError(f"{path}: not a wheel (no .dist-info directory)")
            members = set(wheel.namelist())
            top_level = f"{dist_info}/top_level.txt"
            if top_level in members:
                names = top_level_from_text(_wheel_text(path, wheel, top_level))
            else:
                names = top_level_from_record(_wheel_text(path, wheel, f"{dist_info}/RECORD"))
            metadata = f"{dist_info}/METADATA"
            declared = None
            if metadata in members:
                text = _wheel_text(path, wheel, metadata)
                declared = next(
                    (line[5:].strip() for line in text.splitlines() if line.startswith("Name:")),
                    None,
                )
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise ReserverError(f"{path}: cannot read wheel ({exc})") from None
    distribution = declared or dist_info.removesuffix(".dist-info").rsplit("-", 1)[0]
    return distribution, names


#: Largest wheel metadata file read (RECORD of a large wheel is a few MiB).
WHEEL_MEMBER_BYTES = 16 * 1024 * 1024


def _wheel_text(path: Path, wheel: zipfile.ZipFile, member: str) -> str:
    """A metadata file of a wheel, refused before it is inflated when it says it is larger
    than any real one (zipfile stops at the size the archive declares)."""
    if wheel.getinfo(member).file_size > WHEEL_MEMBER_BYTES:
        raise ReserverError(f"{path}: {member} is larger than {WHEEL_MEMBER_BYTES // 2**20} MiB")
    return wheel.read(member).decode("utf-8", "replace")


def gather_targets(request: SelectionRequest) -> list[Target]:
    """The targets a request names, merged: given, then file, then popular, then stdlib."""
    groups: list[list[Target]] = []
    for name in request.targets:
        problem = name_problem(name)
        if problem is not None:
            raise ReserverError(f"target {excerpt(name)}: {problem}")
    groups.append([Target(name, GIVEN) for name in request.targets])
    if request.targets_file is not None:
        groups.append(read_targets_file(request.targets_file))
    if request.top is not None:
        groups.append(
            popular_targets(load_popular(request.popularity, request.cache_dir), request.top)
        )
    elif request.popularity is not None and not request.stdlib:
        raise ReserverError(
            "--popularity needs --top N (how many popular packages to protect) or --stdlib "
            "(how often each module's name is asked of pip)"
        )
    if request.stdlib:
        popular = load_popular(request.popularity, request.cache_dir)
        demand, unmeasured = stdlib_demand(popular)
        public = {canonicalize(p.project): p.project for p in popular}
        groups.append(stdlib_targets(demand, unmeasured, public))
    targets = merge_targets(groups)
    if not targets:
        raise ReserverError(
            "no targets: give TARGET names, --stdlib, --top N or --targets-file FILE"
        )
    logger.info("targets to protect: %d", len(targets))
    return targets


def _self_row(target: Target, status_of: StatusOf) -> SelectedName | None:
    status, why = status_of(target.name)
    if status == DUPLICATE:
        return None
    if target.source == STDLIB:
        version = removed_in(target.name)
        category = "removed" if version else "stdlib"
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
    heads = heads or {}
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
    internal = [i for i, row in buildable.items() if row.category == INTERNAL]
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


@dataclass(frozen=True)
class IndexView:
    """What a run knows of the target index: its names, its rules, and how it was asked."""

    known: KnownNames
    profile: RegistryProfile
    index: str | None
    """URL or file consulted; None when offline."""
    lookup: NameLookup | None = None
    """Per-name look-ups, when the index has no listing and the run is small."""

    def status(self, name: str, valid: bool = False) -> tuple[str, str]:
        """``(status, reason)`` of one name on this index (``valid``: known to be valid)."""
        if not valid and not is_valid_name(name):
            return name_status(name, self.profile, self.known)
        return self.canonical_status()(canonicalize(name))

    def canonical_status(self) -> Callable[[str], tuple[str, str]]:
        """:meth:`status` for valid canonical names, as one function bound to this index."""
        listed = canonical_status(self.profile, self.known)
        lookup = self.lookup
        if lookup is None:
            return listed

        def looked_up(name: str) -> tuple[str, str]:
            status, why = listed(name)
            if status == UNCHECKED:
                return (
                    (TAKEN, "exists on the index")
                    if lookup.exists(name)
                    else (FREE, "not on the index")
                )
            return status, why

        return looked_up


def resolve_index(request: SelectionRequest, targets: int = 0) -> IndexView:
    """Read the listing the request names (file, URL, or none when offline) and its rules.

    An index that does not list its projects is asked name by name, but only for runs of
    at most ``SMALL_RUN`` targets.
    """
    if request.offline and request.index is not None:
        raise ReserverError("--offline and --index exclude each other")
    index = None if request.offline else (request.index or DEFAULT_INDEX)
    try:
        profile = profile_named(request.registry) if request.registry else profile_for_index(index)
    except ValueError as exc:
        raise ReserverError(str(exc)) from None
    logger.info("registry rules: %s", profile.name)
    if index is None:
        logger.info("offline: no index asked, names are unchecked")
        return IndexView(EMPTY, profile, None)
    known, lookup = names_of(index, request.cache_dir, ask_each=targets <= SMALL_RUN)
    return IndexView(known, profile, index, lookup)


def run_selection(request: SelectionRequest) -> Selection:
    """Targets, index and options in; the selection out. Nothing is written."""
    with collector_paused():
        return _run_selection(request)


def _run_selection(request: SelectionRequest) -> Selection:
    targets = gather_targets(request)
    options = request.options
    if request.wheels:
        extra = dict(options.extra_imports)
        for wheel in request.wheels:
            dist, names = import_names_from_wheel(wheel)
            key = canonicalize(dist)
            extra[key] = tuple(sorted({*extra.get(key, ()), *names}))
        options = replace(options, extra_imports=extra)
    # The candidates' order needs no index: it is made in a second process while this one
    # reads the listing (see reserver.selection.prefetch).
    with Prefetch(rank_jobs(targets, options)) as prefetch:
        view = resolve_index(request, len(targets))
        try:
            if not request.allow_unknown:
                _check_known_targets(targets, view.known, view.lookup)
            heads = prefetch.heads()
            return select(targets, view.known, view.profile, options, view.lookup, heads)
        finally:
            if view.lookup is not None:
                view.lookup.close()


def _check_known_targets(
    targets: Sequence[Target], known: KnownNames, lookup: NameLookup | None
) -> None:
    # A target the index does not have is usually a typo of the user's own; protecting it
    # would reserve typos of a typo. Internal names and the standard library are exempt.
    checkable = [t for t in targets if t.source in (GIVEN, FILE)]
    if known.complete:
        unknown = [t.name for t in checkable if canonicalize(t.name) not in known]
    elif lookup is not None:
        unknown = [t.name for t in checkable if not lookup.exists(canonicalize(t.name))]
    else:
        return
    if unknown:
        shown = ", ".join(repr(n) for n in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise ReserverError(
            f"unknown target {shown}: not on the index (mark private names 'internal' in "
            "--targets-file, or pass --allow-unknown)"
        )


def to_plan_entries(selection: Selection, include_skipped: bool = True) -> list[PlanEntry]:
    """Plan entries for every row (internal names get the dependency-confusion message).

    Blocked and taken rows are kept (``include_skipped``) so they can be exported to
    administrators; ``Plan.buildable()`` leaves them out of builds.
    """
    entries: list[PlanEntry] = []
    with collector_paused():
        for row in selection.names:
            if row.status in (BLOCKED, TAKEN) and not include_skipped:
                continue
            if row.category in ("stdlib", "removed"):
                base = entry_for(row.name)
                entries.append(
                    replace(
                        base, kind=row.kind, score=row.score, status=row.status, reason=row.reason
                    )
                )
            else:
                target = None if row.category == INTERNAL else row.target
                entries.append(
                    engine_entry(
                        row.name, target, row.category, row.kind, row.score, row.status, row.reason
                    )
                )
    return entries
