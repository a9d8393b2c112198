"""``reserver reserve``: plan, build and upload in one go.

The plan step is ``reserver plan`` itself, called with the same options, so both commands
choose names identically (explicit ``--name`` entries and/or the selection engine's).

A rerun resumes: the plan is saved in the work folder with the options that chose it, and a
rerun with the same options reuses it rather than planning again. Planning again would see
the names just uploaded as taken and fill the budget with new ones, so every rerun would
reserve more. Changed options make a new plan, shown as a difference and confirmed first.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import typer

from ..config import resolve
from ..errors import ReserverError
from ..plan.jsonfile import load_plan, save_plan
from ..plan.model import Plan
from ..plan.summary import render as render_summary
from ..plan.summary import summarize
from ._app import app, console, console_err
from ._options import STATS_URL
from ._output import info
from ._selection_options import NAMES, PlanArgs, SelectionArgs
from ._upload_options import BatchArgs, RepositoryArgs
from .plan_cmd import plan_command
from .upload_cmd import run_upload


@app.command("reserve")
def reserve_command(
    *,
    name: list[str] = NAMES,
    selection_args: SelectionArgs,
    plan_args: PlanArgs,
    workdir: Path = typer.Option(
        Path("generated"), "--workdir", help="Where plan.json and dist/ are written."
    ),
    stats_url: str | None = STATS_URL,
    repository_args: RepositoryArgs,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Plan and build, check the index; upload and record nothing."
    ),
    batch_args: BatchArgs,
) -> None:
    """Plan, build and upload placeholders in one command (options as for plan and upload).

    Run it again with the same options to resume: the plan saved in --workdir is reused, and
    the ledger and the index tell what is done. Other options make a new plan (confirmed).
    """
    from ..placeholder.build import build_plan

    json_log = batch_args.json_lines
    credentials = repository_args.credentials()
    if selection_args.registry is None and selection_args.index is None:
        # The rules of where the names go: a private index takes stdlib names (they need
        # placeholders there), PyPI refuses them (they need none).
        from ..index.registries import profile_for_index
        from ..publish.twine_upload import resolve_repository_url

        registry = profile_for_index(resolve_repository_url(credentials)).name
        selection_args = replace(selection_args, registry=registry)
    # --workdir names the folder reserve works in (as build's --out): it is made if needed.
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReserverError(f"cannot use {workdir} as the work folder ({exc.strerror})") from None
    plan_file = workdir / "plan.json"
    chosen = _chosen_by(name, selection_args, plan_args)
    saved = _saved_plan(plan_file)
    if saved is not None and saved.options.get("reserve") == chosen:
        plan = saved
        # On stderr with --format json: stdout is for its JSON lines.
        info(f"resuming {plan_file}: {len(plan.buildable())} names to hold "
             "(the plan made with these options; the ledger says what is done)",
             stderr=json_log)  # fmt: skip
        for line in render_summary(summarize(plan)):
            info(line, stderr=json_log)
    else:
        fresh = plan_file.with_name(plan_file.name + ".new")
        with console.capture() as said:  # plan's report: stdout may be for JSON lines
            plan_command(
                name=name, output=fresh, selection_args=selection_args, plan_args=plan_args
            )
        # Until it is confirmed, a replacement is only "the new plan", not yet written.
        written = f"new plan for {plan_file}" if saved is not None else f"wrote {plan_file}"
        if said.get():  # nothing with -q
            info(said.get().rstrip().replace(f"wrote {fresh}", written), stderr=json_log)
        try:
            made = load_plan(fresh)
        finally:
            fresh.unlink(missing_ok=True)
        plan = replace(made, options={**made.options, "reserve": chosen})
        if saved is not None:
            _confirm_replacement(saved, plan, plan_file, batch_args.yes)
        save_plan(plan, plan_file)
    built = build_plan(plan, workdir / "dist", stats_url or resolve()["stats_url"])
    if not json_log:
        info(f"built {len(built)} sdists into {workdir / 'dist'}")
    run_upload(plan, workdir / "dist", credentials, repository_args, batch_args, dry_run=dry_run)


def _chosen_by(name: list[str], selection: SelectionArgs, plan: PlanArgs) -> dict[str, object]:
    """What chose the names, recorded in the plan: a rerun that gives the same resumes it."""
    return {
        "targets": sorted(selection.targets or []), "names": list(name),
        "stdlib": selection.stdlib, "top": selection.top, "popularity": selection.popularity,
        "targets_file": str(selection.targets_file) if selection.targets_file else None,
        "budget": selection.budget, "total_budget": selection.total_budget,
        "popular_bonus": selection.popular_bonus, "registry": selection.registry,
        "layout": list(selection.layout), "allow_unknown": selection.allow_unknown,
        "wheel": [str(w) for w in selection.wheel], "holder": plan.holder,
        "contact": plan.contact, "holder_url": plan.holder_url, "version": plan.version,
    }  # fmt: skip


def _saved_plan(path: Path) -> Plan | None:
    """The plan a previous run saved, or None when there is none (or it is unreadable)."""
    if not path.exists():
        return None
    try:
        return load_plan(path)
    except ReserverError:
        return None


def _confirm_replacement(saved: Plan, plan: Plan, path: Path, yes: bool) -> None:
    """Show how a new plan differs from the saved one, and ask before replacing it."""
    before = {e.name for e in saved.buildable()}
    after = {e.name for e in plan.buildable()}
    added, dropped = sorted(after - before), sorted(before - after)
    console_err.print(
        f"{path} was made with other options; the new plan holds {len(after)} names: "
        f"{len(added)} added, {len(dropped)} no longer planned (names already reserved stay "
        "reserved)",
        markup=False,
    )
    for label, names in (("+", added), ("-", dropped)):
        for shown in names[:10]:
            console_err.print(f"  {label} {shown}", markup=False)
        if len(names) > 10:
            console_err.print(f"  {label} ... {len(names) - 10} more", markup=False)
    if yes:
        return
    if not sys.stdin.isatty():
        raise ReserverError(
            f"{path} was made with other options: rerun with the options it was made with to "
            "resume it, or add --yes to replace it"
        )
    if not typer.confirm("replace the saved plan?", default=False, err=True):
        raise typer.Exit(1)
