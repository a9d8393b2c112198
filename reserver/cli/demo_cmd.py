"""``reserver demo``: the whole loop on loopback, to see reserver work in a minute."""

from __future__ import annotations

from pathlib import Path

import typer

from ..demo import run_demo
from ._app import app, console


@app.command("demo")
def demo_command(
    workdir: Path = typer.Option(
        Path("generated/demo"), "--workdir", help="Where the demo writes (made afresh)."
    ),
) -> None:
    """Plan, build and upload a few placeholders to a local index, then install two of them."""
    result = run_demo(workdir, lambda line: console.print(line, markup=False))
    failed_helpfully = all(a.exit_code != 0 and "placeholder" in a.output for a in result.attempts)
    if not failed_helpfully:
        console.print("demo: an install did not show the placeholder message", style="red")
        raise typer.Exit(1)
    console.print("Every install failed on purpose and told the user what they meant.")
