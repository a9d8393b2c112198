"""``reserver plan``: write the reviewed list of names that build and upload consume."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path

import typer

from ..errors import ReserverError
from ..holder import Holder
from ..names.normalize import canonicalize
from ..names.rules import BLOCKED, TAKEN, UNCHECKED
from ..plan import (
    PLAN_FORMAT,
    Plan,
    PlanEntry,
    make_plan,
    parse_name_option,
    write_atomic,
)
from ..selection import IndexView, resolve_index, run_selection, to_plan_entries
from . import _selection_options as opt
from ._app import app, console, console_err


def write_plan(plan: Plan, path: Path) -> None:
    """Write ``plan`` atomically in the format ``load_plan`` reads, one entry per line.

    Same content as ``save_plan``, but entries are encoded by the C JSON encoder one line
    each: a plan of 100,000 names is written in a fraction of a second and stays easy to
    review and diff.
    """
    names = [f.name for f in fields(PlanEntry)]

    def record(entry: PlanEntry) -> dict[str, object]:
        # vars() is the fields in declaration order, without asdict's deep copy.
        found = getattr(entry, "__dict__", None)
        return dict(found) if found is not None else {n: getattr(entry, n) for n in names}

    encode = json.JSONEncoder().encode
    lines = [encode(record(entry)) for entry in plan.entries]
    header = {
        "format": PLAN_FORMAT,
        "version": plan.version,
        "holder": plan.holder.to_dict(),
        "options": plan.options,
    }
    text = json.dumps(header, indent=2)[:-2] + ',\n  "entries": [\n    '
    text += ",\n    ".join(lines) + "\n  ]\n}\n"
    write_atomic(path, text.encode())


def _check_explicit(entries: list[PlanEntry], view: IndexView | None) -> list[PlanEntry]:
    # Explicit names get the same registry verdict as engine ones when an index is known;
    # without one they stay unchecked, as they always have.
    checked = []
    for entry in entries:
        if view is None:
            checked.append(replace(entry, status=UNCHECKED))
            continue
        status, why = view.status(entry.name)
        reason = why if status in (BLOCKED, TAKEN) else entry.reason
        checked.append(replace(entry, status=status, reason=reason))
    return checked


@app.command("plan")
def plan_command(
    targets: list[str] | None = opt.TARGETS,
    name: list[str] = typer.Option(
        [], "--name", "-n", help="SQUAT=TARGET (a typo and the package meant), or a stdlib name."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the plan (JSON)."),
    stdlib: bool = opt.STDLIB,
    top: int | None = opt.TOP,
    popularity: str | None = opt.POPULARITY,
    targets_file: Path | None = opt.TARGETS_FILE,
    budget: int = opt.BUDGET,
    total_budget: int | None = opt.TOTAL_BUDGET,
    popular_bonus: float = opt.POPULAR_BONUS,
    index: str | None = opt.INDEX,
    offline: bool = opt.OFFLINE,
    registry: str | None = opt.REGISTRY,
    layout: list[str] = opt.LAYOUT,
    allow_unknown: bool = opt.ALLOW_UNKNOWN,
    wheel: list[Path] = opt.WHEEL,
    cache_dir: Path = opt.CACHE_DIR,
    holder: str = typer.Option(Holder.name, "--holder", help="Who holds the names."),
    contact: str = typer.Option(
        Holder.contact, "--contact", help="Email or URL to ask for a name."
    ),
    holder_url: str = typer.Option(Holder.url, "--holder-url", help="Page explaining the effort."),
    version: str = typer.Option("0.0.1", "--version", help="Placeholder version (final release)."),
) -> None:
    """Write a plan of names to reserve: explicit --name entries and/or the engine's choice."""
    request = opt.build_request(
        targets=targets,
        stdlib=stdlib,
        top=top,
        popularity=popularity,
        targets_file=targets_file,
        budget=budget,
        total_budget=total_budget,
        popular_bonus=popular_bonus,
        index=index,
        offline=offline,
        registry=registry,
        layouts=layout,
        allow_unknown=allow_unknown,
        wheels=wheel,
        cache_dir=cache_dir,
    )
    holder_record = Holder(holder, contact, holder_url)
    explicit = [parse_name_option(value) for value in name]
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
    elif index is not None:
        view = resolve_index(request, len(explicit))
    explicit = _check_explicit(explicit, view)
    given = {canonicalize(e.name) for e in explicit}
    entries = [*explicit, *(e for e in engine if canonicalize(e.name) not in given)]
    options = {
        "names": list(name),
        "targets": list(request.targets),
        "stdlib": stdlib,
        "top": top,
        "popularity": popularity,
        "targets_file": str(targets_file) if targets_file else None,
        "budget": budget,
        "total_budget": total_budget,
        "popular_bonus": popular_bonus,
        "index": index,
        "offline": offline,
        "registry": registry,
    }
    plan = make_plan(entries, holder_record, version, options)
    write_plan(plan, output)
    buildable = len(plan.buildable())
    console.print(
        f"wrote {output}: {len(plan.entries)} names, {buildable} to build, "
        f"{len(plan.entries) - buildable} blocked or taken"
    )
    if internal:
        console_err.print(
            f"note: {internal} internal name(s) are listed by 'reserver generate' but not "
            "planned: the plan has no placeholder message for them yet"
        )
