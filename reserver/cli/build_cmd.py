"""``reserver build``: render and build every placeholder of a plan."""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import resolve
from ..errors import ReserverError
from ..plan.jsonfile import load_plan
from ..plan.model import publish_problem
from ..plan.summary import named_profile
from ._app import app, console_err
from ._options import PLAN_FILE, STATS_URL
from ._output import Verbosity, info, verbosity


@app.command("build")
def build_command(
    plan_file: Path = PLAN_FILE,
    out: Path = typer.Option(Path("generated/dist"), "--out", help="Where to write the sdists."),
    stats_url: str | None = STATS_URL,
    with_build: bool = typer.Option(
        False, "--with-build", help="Run the PyPA build frontend per package (slow, same bytes)."
    ),
) -> None:
    """Render and build the placeholder sdists of a plan."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..placeholder.build import build_plan

    plan = load_plan(plan_file)
    profile = named_profile(plan)
    if profile is not None:
        problem = publish_problem(plan, profile)
        if problem is not None:
            raise ReserverError(f"{plan_file} is planned for {profile.name}: {problem}")
    total = len(plan.buildable())
    with Progress(
        TextColumn("building"),
        BarColumn(),
        MofNCompleteColumn(),
        # On stderr, the console -v's log lines use: they then print above the bar, and
        # standard output keeps to what the command says.
        console=console_err,
        transient=True,
        # Only for a person at a terminal: in a CI log or a pipe, a bar is one stale line.
        disable=verbosity() is Verbosity.QUIET or not console_err.is_terminal,
    ) as progress:
        task = progress.add_task("build", total=total)
        built = build_plan(
            plan, out, stats_url or resolve()["stats_url"],
            method="build" if with_build else "fast",
            progress=lambda _: progress.advance(task),
        )  # fmt: skip
    info(f"built {len(built)} sdists into {out}")
