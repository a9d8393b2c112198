"""``reserver demo``: the whole loop on loopback, to see reserver work in a minute."""

from __future__ import annotations

import threading
from pathlib import Path

import typer

from ._app import app, console
from ._output import info

#: What the demo's children import: pypiserver (the index), the stats service, twine.
_DEMO_MODULES = ("pypiserver", "passlib", "uvicorn", "fastapi", "sqlalchemy", "jinja2", "twine")


def _wait_for_ctrl_c(url: str) -> None:
    # Said even with -q: without it, a quiet --serve would seem to hang.
    console.print(f"Serving the dashboard at {url}. Press Ctrl-C to stop.", markup=False)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("")


@app.command("demo")
def demo_command(
    workdir: Path = typer.Option(
        Path("generated/demo"),
        "--workdir",
        help="Where the demo writes: a new or empty folder, or one an earlier demo made.",
    ),
    serve: bool = typer.Option(
        False, "--serve", help="Keep the index and the dashboard running until Ctrl-C."
    ),
) -> None:
    """Run the whole loop on loopback: plan, build, upload, install, count, show."""
    import importlib.util

    # The index and the stats service run as child processes: a module they need that is
    # missing would only show as a child's exit status, so it is asked for here, up front.
    for module in _DEMO_MODULES:
        if importlib.util.find_spec(module) is None:
            raise ModuleNotFoundError(f"No module named {module!r}", name=module)
    from ..demo.loop import run_demo  # the index server and publish stack: slow to import

    # Each step and what each user saw inform; -q leaves the verdict alone.
    result = run_demo(workdir, info, serve=_wait_for_ctrl_c if serve else None)
    if not all(attempt.failed_helpfully for attempt in result.attempts):
        console.print("demo: an install did not show the placeholder message", style="red")
        raise typer.Exit(1)
    console.print("Every install failed on purpose and told the user what they meant.")
