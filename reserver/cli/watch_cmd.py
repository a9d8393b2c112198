"""``reserver watch``: report new look-alike registrations on an index, once or in a loop."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import ReserverError
from ._app import app, console_err, usage_error
from ._options import CORPUS
from ._output import format_option, info

if TYPE_CHECKING:
    from ..guard.watch import WatchResult


def _report(result: WatchResult, output_format: str) -> None:
    from ..guard.formats import FORMATS

    if result.first_run:
        info(f"first run: remembered {result.listed} names of {result.index}; "
             "new registrations are reported from the next run", stderr=True)  # fmt: skip
    else:
        info(f"{result.index}: {result.listed} names, {len(result.new_names)} new, "
             f"{len(result.findings)} look-alike(s)", stderr=True)  # fmt: skip
    # A table only when there is something to read; JSON and CSV every run, so that a
    # script always has a document to parse (an empty list, a header line).
    if result.findings or output_format != "table":
        typer.echo(FORMATS[output_format](result.findings), nl=False)


@app.command("watch")
def watch_command(
    index: str = typer.Argument(..., help="Index root or /simple/ URL (or a saved listing file)."),
    state: Path = typer.Option(..., "--state", help="Where the previous listing is kept."),
    once: bool = typer.Option(
        False,
        "--once",
        help="One run, then exit (for cron): 1 when look-alikes were found, 2 on an error.",
    ),
    interval: float = typer.Option(
        300.0, "--interval", min=1.0, help="Seconds between runs when looping."
    ),
    webhook: str | None = typer.Option(
        None, "--webhook", help="POST findings here as JSON (with a Slack 'text' field)."
    ),
    target: list[str] = typer.Option(
        [], "--target", "-t", help="A name you protect (repeatable); checked before the corpus."
    ),
    corpus: str | None = CORPUS,
    top: int = typer.Option(5000, "--top", min=0, help="How many corpus names to protect."),
    output_format: str = format_option(("table", "json", "csv"), "Report format."),
) -> None:
    """Report names new on an index since the last run that look like typos of targets."""
    from ..guard.corpus import corpus_from, default_corpus
    from ..guard.watch import WebhookError, watch_detector, watch_once
    from ..selection.model import DEFAULT_CACHE

    popular: list[str] = []
    if top > 0:
        chosen = corpus_from(corpus, DEFAULT_CACHE) if corpus is not None else default_corpus()
        popular = chosen[:top]
    if not popular and not target:
        raise usage_error("nothing to protect: give --target names or a corpus with --top > 0")
    detector = watch_detector(popular, target)
    while True:
        found = False
        try:
            result = watch_once(index, state, detector, webhook=webhook)
            _report(result, output_format)
            found = bool(result.findings)
        except WebhookError as exc:
            if exc.result is not None:
                _report(exc.result, output_format)  # shown even though delivery failed
            if once:
                raise usage_error(str(exc)) from None
            console_err.print(f"error: {exc}", markup=False, highlight=False)
        except ReserverError as exc:
            if once:
                raise usage_error(str(exc)) from None
            console_err.print(f"error: {exc}", markup=False, highlight=False)
        if once:
            # As check: 1 when look-alikes were reported, so cron and CI can tell; 2 when
            # the run itself failed.
            if found:
                raise typer.Exit(1)
            return
        time.sleep(interval)
