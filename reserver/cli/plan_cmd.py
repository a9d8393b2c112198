"""``reserver plan``: write the reviewed list of names that build and upload consume."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..config import resolve
from ..errors import ReserverError
from ..names.normalize import canonicalize
from ..names.rules import BLOCKED, PROFILES, TAKEN, UNCHECKED
from ..plan.jsonfile import save_plan
from ..plan.model import PlanEntry, make_plan, parse_name_option
from ..plan.summary import render as render_summary
from ..plan.summary import summarize
from ._app import app, console_err
from ._output import info
from ._selection_options import NAMES, PlanArgs, SelectionArgs

if TYPE_CHECKING:
    from ..selection.index_view import IndexView


def _check_explicit(entries: list[PlanEntry], view: IndexView | None) -> list[PlanEntry]:
    # Explicit names get the same registry verdict as engine ones: from the listing when
    # one was read, else from the named registry's rules alone, else none (unchecked).
    checked = []
    for entry in entries:
        if view is None:
            checked.append(replace(entry, status=UNCHECKED))
            continue
        status, why = view.status(entry.name)
        reason = why if status in (BLOCKED, TAKEN) else entry.reason
        checked.append(replace(entry, status=status, reason=reason))
    return checked


#: How far down the bundled top list a --name squat counts as "itself a popular project": the
#: top 1,000, where the targets of reversed pairs ("requests=reqeusts") are; further down
#: real projects share names with import names held as placeholders on private indexes
#: ('sklearn', the deprecated shim, is rank 2,770 of the 2026-04-01 snapshot).
POPULAR_SQUAT_TOP = 1000


def _refuse_popular_squats(entries: list[PlanEntry]) -> None:
    """A --name squat that is itself a popular project is a reversed pair or a mistake:
    holding it would be squatting the real project."""
    from ..targets.popularity import bundled_popular

    popular = {canonicalize(p.project) for p in bundled_popular()[:POPULAR_SQUAT_TOP]}
    for entry in entries:
        if entry.target is None or canonicalize(entry.name) not in popular:
            continue
        hint = (
            f"; did you mean --name {entry.target}={entry.name}?"
            if canonicalize(entry.target) not in popular
            else ""
        )
        raise ReserverError(
            f"--name {entry.name}={entry.target}: {entry.name!r} is itself a popular project, "
            f"not a typo to hold{hint} (--force plans it anyway)"
        )


@app.command("plan")
def plan_command(
    *,
    name: list[str] = NAMES,
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the plan (JSON)."),
    selection_args: SelectionArgs,
    plan_args: PlanArgs,
) -> None:
    """Write a plan of names to reserve: explicit --name entries and/or the engine's choice."""
    request = selection_args.request()
    registry, version = selection_args.registry, plan_args.version
    if registry in PROFILES:
        problem = PROFILES[registry].version_problem(version)
        if problem is not None:
            raise ReserverError(problem)
    holder = resolve(
        {"holder": plan_args.holder, "contact": plan_args.contact, "homepage": plan_args.holder_url}
    ).holder()
    # Imported here: the selection engine is about 50 ms of imports that check,
    # watch and the other commands never use.
    from ..selection.entries import to_plan_entries
    from ..selection.index_view import IndexView, resolve_index
    from ..selection.run import run_selection

    explicit = [parse_name_option(value) for value in name]
    if not plan_args.force:
        _refuse_popular_squats(explicit)
    if not explicit and not request.has_targets():
        raise ReserverError("the plan is empty: give --name entries or TARGET names to protect")
    engine: list[PlanEntry] = []
    internal = 0
    view: IndexView | None = None
    if request.has_targets():
        selection = run_selection(request)
        engine = to_plan_entries(selection)
        internal = sum(1 for row in selection.names if row.category == "internal")
        if selection.checked:
            view = IndexView(selection.known, selection.profile, request.index)
    elif request.index is not None:
        view = resolve_index(request, len(explicit))
    if view is None and registry is not None:
        # No listing read, but the named registry's rules still apply: PyPI refuses stdlib
        # names whatever exists, so `-n pwd --registry pypi --offline` is blocked, not built.
        # (Without --registry or --index explicit names stay unchecked: no rules assumed.)
        view = resolve_index(replace(request, offline=True, index=None))
    explicit = _check_explicit(explicit, view)
    given = {canonicalize(e.name) for e in explicit}
    if given:
        engine = [e for e in engine if canonicalize(e.name) not in given]
    entries = [*explicit, *engine]
    options = {
        "names": list(name),
        "targets": list(request.targets),
        "stdlib": selection_args.stdlib,
        "top": selection_args.top,
        "popularity": selection_args.popularity,
        "targets_file": str(request.targets_file) if request.targets_file else None,
        "budget": request.options.budget,
        "total_budget": selection_args.total_budget,
        "popular_bonus": selection_args.popular_bonus,
        "index": selection_args.index,
        "offline": selection_args.offline,
        "registry": registry,
    }
    plan = make_plan(entries, holder, version, options)
    save_plan(plan, output)
    buildable = len(plan.buildable())
    info(
        f"wrote {output}: {len(plan.entries)} names, {buildable} to build, "
        f"{len(plan.entries) - buildable} blocked or taken"
    )
    for line in render_summary(summarize(plan)):
        info(line)
    if internal:
        console_err.print(
            f"note: {internal} internal name(s) are listed by 'reserver generate' but not "
            "planned: the plan has no placeholder message for them yet"
        )
