"""``reserver upload``: reserve a plan's names on a repository, paced, resumable, recorded."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from ..config import resolve
from ..errors import ReserverError, UploadError
from ..plan.jsonfile import load_plan
from ..plan.model import Plan
from ._app import app, console, console_err
from ._options import PLAN_FILE
from ._output import Verbosity, info, verbosity
from ._upload_options import BatchArgs, RepositoryArgs

if TYPE_CHECKING:
    from .._rates import Rate
    from ..publish.batch import BatchEvent, BatchResult
    from ..publish.twine_upload import Credentials

EXIT_INTERRUPTED = 130


def _json_line(repository: list[str]) -> Callable[[BatchEvent], None]:
    def write(event: BatchEvent) -> None:
        if event.kind == "start":
            repository[:] = [event.detail]
        record = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "event": event.kind,
            "repository": repository[0] if repository else None,
            **{k: v for k, v in asdict(event).items() if k != "kind" and v is not None},
        }
        # One line per event, flushed: unattended runs are followed with tail -f or a pipe.
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

    return write


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@contextmanager
def _progress_bar(
    enabled: bool, rate: Rate | Literal["default"] | None
) -> Iterator[Callable[[BatchEvent], None] | None]:
    """A Rich progress bar: names done, the pace (or uploads per minute in this run when
    unpaced) and the time left (see :func:`pace_fields`)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..publish.pacing import default_rate

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[speed]}"),
        TimeElapsedColumn(),
        TextColumn("ETA {task.fields[eta]}"),
        # On stderr, the console -v's log lines use: they then print above the bar, and
        # standard output keeps to what the command says.
        console=console_err,
        transient=False,
    )
    task = progress.add_task("starting", total=None, speed="", eta="-")
    pacing: list[Rate | None] = [None if rate == "default" else rate]
    uploaded: list[float] = []

    started: list[bool] = []

    def update(event: BatchEvent) -> None:
        if not started:
            # Shown from the batch's first event, not before: twine may first ask for a
            # token in the terminal, and the prompt must not sit behind a live bar.
            progress.start()
            started.append(True)
        fields: dict[str, object] = {"total": event.total, "completed": event.done}
        if event.kind == "start" and rate == "default":
            pacing[0] = default_rate(event.detail)
        if event.kind == "wait" and event.delay:
            fields["description"] = f"waiting {event.delay:.0f} s ({event.detail})"
        elif event.kind == "pause" and event.delay:
            fields["description"] = f"paused {event.delay:.0f} s: {event.detail}"
        elif event.kind == "failed" and event.delay:
            fields["description"] = f"retrying {event.name} in {event.delay:.1f} s"
        elif event.name:
            fields["description"] = f"{event.kind} {event.name}"
        if event.kind == "uploading" and not uploaded:
            uploaded.append(progress.get_time())
        if event.status is not None and event.kind in ("reserved", "taken", "refused"):
            uploaded.append(progress.get_time())
        fields.update(pace_fields(uploaded, pacing[0], event.total - event.done))
        progress.update(task, **fields)  # type: ignore[arg-type]

    try:
        yield update
    finally:
        if started:
            progress.stop()


def pace_fields(uploaded: list[float], pace: Rate | None, remaining: int) -> dict[str, str]:
    """The progress bar's speed and time left, from the times names were settled.

    A paced batch shows its pace: PyPI's window lets the first 20 names go in a burst, and a
    speed measured over that burst ("30/min") would sit beside an ETA of hours. An unpaced
    one shows the speed seen, once two names have come after the first.

    >>> from reserver._rates import Rate
    >>> pace_fields([0.0, 1.0, 2.0, 4.0], None, 3)
    {'speed': '45.0/min', 'eta': '0:00:04'}
    >>> pace_fields([0.0, 1.0, 2.0, 4.0], Rate(20, 3600), 3)
    {'speed': 'paced 20/hour', 'eta': '0:09:00'}
    """
    fields: dict[str, str] = {}
    seen = (len(uploaded) - 1) / (uploaded[-1] - uploaded[0]) if len(uploaded) > 2 else None
    if pace is not None:
        fields["speed"] = f"paced {pace}"
    elif seen:
        fields["speed"] = f"{seen * 60:.1f}/min"
    per_second = pace.per_second if pace is not None else seen
    if per_second:
        fields["eta"] = _duration(remaining / per_second)
    return fields


def run_upload(
    plan: Plan,
    dist: Path,
    credentials: Credentials,
    repository_args: RepositoryArgs,
    batch_args: BatchArgs,
    *,
    dry_run: bool,
) -> None:
    """Run one batch and report it; the exit status tells unattended runs how it ended."""
    from ..publish.batch import upload_batch

    if not dry_run:
        confirm_public_upload(plan, credentials, batch_args.yes)
    from .._rates import parse_rate
    from ..publish.twine_upload import DEFAULT_TIMEOUT

    json_log, timeout = batch_args.json_lines, batch_args.timeout
    rate = repository_args.rate or resolve()["rate"]
    chosen: Rate | Literal["default"] | None = "default" if rate is None else parse_rate(rate)
    repository: list[str] = []
    on_event = _json_line(repository) if json_log else None
    # Only for a person at a terminal: in a CI log or a pipe, a bar is one stale line.
    quiet = verbosity() is Verbosity.QUIET
    show_bar = console_err.is_terminal and not (json_log or dry_run or quiet)
    with _progress_bar(show_bar, chosen) as bar:
        result = upload_batch(
            plan,
            dist,
            credentials,
            ledger_path=batch_args.ledger,
            rate=chosen,
            simple_url=repository_args.simple_url,
            dry_run=dry_run,
            max_uploads=batch_args.max_uploads,
            timeout=DEFAULT_TIMEOUT if timeout is None else (DEFAULT_TIMEOUT[0], timeout),
            on_event=on_event or bar,
        )
    _report(result, json_log)


def confirm_public_upload(plan: Plan, credentials: Credentials, yes: bool) -> None:
    """Before a batch to PyPI or TestPyPI: what it costs, and a yes from the person (or
    --yes). Unattended runs without --yes stop here rather than start a days-long batch."""
    from ..index.registries import profile_for_index
    from ..plan.summary import duration, summarize
    from ..publish.batch import refuse_for_registry
    from ..publish.twine_upload import resolve_repository_url

    url = resolve_repository_url(credentials)
    profile = profile_for_index(url)
    if not profile.public:
        return
    refuse_for_registry(plan, url)  # what it would refuse anyway, before asking
    summary = summarize(plan, profile)
    cost = f", about {duration(summary.hours)}" if summary.hours is not None else ""
    what = (
        f"upload up to {summary.to_build} placeholders to {profile.name} ({url}) as "
        f"{plan.holder.name} <{plan.holder.contact}>{cost}"
    )
    if yes:
        return
    if not sys.stdin.isatty():
        raise ReserverError(f"about to {what}: add --yes to confirm an unattended run")
    if not typer.confirm(f"{what.capitalize()}?", default=False, err=True):
        raise typer.Exit(1)


def _resume_hint() -> str:
    return "resume with: " + shlex.join(["reserver", *sys.argv[1:]])


def _report(result: BatchResult, json_log: bool) -> None:
    counts = ", ".join(f"{n} {state}" for state, n in result.counts.items() if n)
    if json_log:
        summary = {
            "event": "result",
            "repository": result.repository,
            "counts": result.counts,
            "uploaded": result.uploaded,
            "attempts": result.attempts,
            "skipped": result.skipped,
            "remaining": result.remaining,
            "interrupted": result.interrupted,
            "limited": result.limited,
            "stopped": result.stopped,
            "dry_run": result.dry_run,
            "would_upload": result.would_upload,
        }
        sys.stdout.write(json.dumps(summary) + "\n")
        sys.stdout.flush()
    elif result.dry_run:
        for name in result.would_upload:  # what a dry run is for: its output, even with -q
            console.print(f"would upload {name}", markup=False)
        pace = f" at {result.rate}" if result.rate else ""
        eta = ""
        if result.rate and result.would_upload:
            eta = f", about {len(result.would_upload) / result.rate.per_second / 3600:.1f} h"
        info(
            f"dry run on {result.repository}: {len(result.would_upload)} to upload{pace}{eta}, "
            f"{result.skipped} already final in the ledger; nothing was sent or written"
        )
    else:
        info(
            f"{result.repository}: {counts or 'nothing to do'} "
            f"({result.uploaded} uploaded in this run, {result.skipped} already done)"
        )
    if result.interrupted:
        console_err.print(
            f"interrupted: the last upload was finished and recorded; {result.remaining} names "
            f"left; {_resume_hint()}",
            markup=False,
        )
        raise typer.Exit(EXIT_INTERRUPTED)
    if result.stopped:
        raise UploadError(f"{result.stopped}; {result.remaining} names left; {_resume_hint()}")
    if result.limited and not json_log:
        info(f"--max reached; {result.remaining} names left; {_resume_hint()}")


@app.command("upload")
def upload_command(
    *,
    plan_file: Path = PLAN_FILE,
    dist: Path = typer.Option(Path("generated/dist"), "--dist", help="Where the sdists are."),
    repository_args: RepositoryArgs,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the ledger and the index; send and write nothing."
    ),
    batch_args: BatchArgs,
) -> None:
    """Reserve the names of a plan: upload its placeholders, paced and resumable.

    Credentials come as for twine: TWINE_USERNAME/TWINE_PASSWORD, .pypirc or keyring. An
    upload to PyPI or TestPyPI shows what it costs and asks first (--yes to skip).
    """
    credentials = repository_args.credentials()
    plan = load_plan(plan_file)
    run_upload(plan, dist, credentials, repository_args, batch_args, dry_run=dry_run)
