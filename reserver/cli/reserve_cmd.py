"""``reserver reserve``: plan, build and upload in one go.

The plan step is ``reserver plan`` itself, called with the same options, so both commands
choose names identically (explicit ``--name`` entries and/or the selection engine's).
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import resolve
from ..plan import load_plan
from . import _selection_options as opt
from . import _upload_options as up
from ._app import app, console, console_err
from .plan_cmd import plan_command
from .upload_cmd import credentials_for, run_upload


@app.command("reserve")
def reserve_command(
    targets: list[str] | None = opt.TARGETS,
    name: list[str] = opt.NAMES,
    stdlib: bool = opt.STDLIB,
    top: int | None = opt.TOP,
    popularity: str | None = opt.POPULARITY,
    targets_file: Path | None = opt.TARGETS_FILE,
    budget: int | None = opt.BUDGET,
    total_budget: int | None = opt.TOTAL_BUDGET,
    popular_bonus: float = opt.POPULAR_BONUS,
    index: str | None = opt.INDEX,
    offline: bool = opt.OFFLINE,
    registry: str | None = opt.REGISTRY,
    layout: list[str] = opt.LAYOUT,
    allow_unknown: bool = opt.ALLOW_UNKNOWN,
    wheel: list[Path] = opt.WHEEL,
    cache_dir: Path = opt.CACHE_DIR,
    holder: str | None = opt.HOLDER,
    contact: str | None = opt.CONTACT,
    holder_url: str | None = opt.HOLDER_URL,
    version: str = opt.VERSION,
    workdir: Path = typer.Option(
        Path("generated"), "--workdir", help="Where plan.json and dist/ are written."
    ),
    stats_url: str | None = typer.Option(
        None, "--stats-url", help="Opt in to the anonymous install count at this stats service."
    ),
    repository_url: str | None = up.REPOSITORY_URL,
    repository: str | None = up.REPOSITORY,
    simple_url: str | None = up.SIMPLE_URL,
    rate: str | None = up.RATE,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Plan and build, check the index; upload and record nothing."
    ),
    max_uploads: int | None = up.MAX_UPLOADS,
    ledger: Path = up.LEDGER,
    json_log: bool = up.JSON_LOG,
    timeout: float | None = up.TIMEOUT,
) -> None:
    """Plan, build and upload placeholders in one command (options as for plan and upload).

    Run it again with the same options to resume: the ledger and the index tell what is done.
    """
    from ..builder import build_plan

    credentials = credentials_for(repository_url, repository)
    plan_file = workdir / "plan.json"
    with console.capture() as said:  # plan's own report; stdout is for JSON lines with --json
        plan_command(
            targets=targets, name=name, output=plan_file, stdlib=stdlib, top=top,
            popularity=popularity, targets_file=targets_file, budget=budget,
            total_budget=total_budget, popular_bonus=popular_bonus, index=index,
            offline=offline, registry=registry, layout=layout, allow_unknown=allow_unknown,
            wheel=wheel, cache_dir=cache_dir, holder=holder, contact=contact,
            holder_url=holder_url, version=version,
        )  # fmt: skip
    (console_err if json_log else console).print(said.get().rstrip(), markup=False)
    plan = load_plan(plan_file)
    built = build_plan(plan, workdir / "dist", stats_url or resolve()["stats_url"])
    if not json_log:
        console.print(f"built {len(built)} sdists into {workdir / 'dist'}")
    run_upload(
        plan,
        workdir / "dist",
        credentials,
        ledger=ledger,
        rate=rate,
        simple_url=simple_url,
        dry_run=dry_run,
        max_uploads=max_uploads,
        json_log=json_log,
        timeout=timeout,
    )
