"""``reserver plan``: write the reviewed list of names that build and upload consume."""

from __future__ import annotations

from pathlib import Path

import typer

from ..holder import Holder
from ..plan import make_plan, parse_name_option, save_plan, with_status
from ._app import app, console


@app.command("plan")
def plan_command(
    name: list[str] = typer.Option(
        [], "--name", "-n", help="SQUAT=TARGET (a typo and the package meant), or a stdlib name."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the plan (JSON)."),
    offline: bool = typer.Option(False, "--offline", help="Do not ask any index; mark unchecked."),
    holder: str = typer.Option(Holder.name, "--holder", help="Who holds the names."),
    contact: str = typer.Option(Holder.contact, "--contact", help="Email or URL to ask for a name."),
    holder_url: str = typer.Option(Holder.url, "--holder-url", help="Page explaining the effort."),
    version: str = typer.Option("0.0.1", "--version", help="Placeholder version (final release)."),
) -> None:
    """Write a plan of names to reserve."""
    entries = with_status([parse_name_option(value) for value in name], "unchecked")
    plan = make_plan(
        entries,
        Holder(holder, contact, holder_url),
        version,
        {"names": list(name), "offline": offline},
    )
    save_plan(plan, output)
    console.print(f"wrote {output}: {len(plan.entries)} names")
