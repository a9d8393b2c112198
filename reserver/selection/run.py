"""The selection API: targets -> candidates -> registry rules -> ranking/budget.

``run_selection`` does the whole thing from user-level options (what the CLI passes);
:func:`reserver.selection.select.select` is the pure middle for callers that already hold
targets and known names.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from .._gcpause import collector_paused
from ..errors import ReserverError, excerpt
from ..index.listing import NameLookup
from ..names.normalize import canonicalize, name_problem
from ..names.rules import (
    KnownNames,
)
from ..names.stdlib import prohibited_stdlib_names
from ..names.targets import (
    FILE,
    GIVEN,
    Target,
    merge_targets,
    stdlib_targets,
)
from ..targets.files import read_targets_file
from ..targets.popularity import load_popular, popular_targets, stdlib_demand
from ..targets.wheels import import_names_from_wheel
from .index_view import resolve_index
from .model import Selection, SelectionRequest
from .prefetch import Prefetch
from .select import rank_jobs, select

logger = logging.getLogger(__name__)


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
    # would reserve typos of a typo. Internal names and the standard library are exempt,
    # a module named as a target (``telnetlib``) too.
    checkable = [
        t
        for t in targets
        if t.source in (GIVEN, FILE) and canonicalize(t.name) not in prohibited_stdlib_names()
    ]
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
