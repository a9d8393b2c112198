"""``reserver evaluate``: how many real attacks a plan would have held or the registry refuses."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import ReserverError
from ._app import app, console
from ._output import csv_text, format_option, info

if TYPE_CHECKING:
    from rich.table import Table

    from ..evaluation.hits import Share
    from ..evaluation.squats import Evaluation, KindRow

logger = logging.getLogger(__name__)


def _report(evaluation: Evaluation, split: str) -> Table:
    from rich.table import Table

    table = Table(
        title=f"{evaluation.label}, {split} split: {evaluation.share:.0%} reserved or blocked"
    )
    for column in ("kind", "squats", "reserved", "blocked", "missed", "share"):
        table.add_column(column)
    for row in evaluation.per_kind():
        table.add_row(
            row.kind,
            str(row.total),
            str(row.reserved),
            str(row.blocked),
            str(row.missed),
            f"{row.share:.0%}",
        )
    return table


#: CSV columns: the table's, a row per kind (``share``: of the kind's squats reserved or
#: blocked); with --hits, a row per kind and per position of the typo.
KIND_CSV_FIELDS = ("kind", "squats", "reserved", "blocked", "missed", "share")
HITS_CSV_FIELDS = ("by", "key", "held", "hit", "hits", "share", "expected")


def _kind_row(row: KindRow) -> dict[str, object]:
    return {"kind": row.kind, "squats": row.total, "reserved": row.reserved,
            "blocked": row.blocked, "missed": row.missed, "share": round(row.share, 4)}  # fmt: skip


def _share_row(share: Share) -> dict[str, object]:
    expected = None if share.expected is None else round(share.expected, 4)
    return {"key": share.key, "held": share.held, "hit": share.hit, "hits": share.hits,
            "share": round(share.share, 4), "expected": expected}  # fmt: skip


def _read_hits(source: str) -> str:
    """The text of a hits feed: a stats service's URL, or a file saved from one."""
    if not source.startswith(("http://", "https://")):
        from .._files import read_text_file

        return read_text_file(Path(source), "hits feed")
    import httpx

    from ..evaluation.hits import feed_url

    url = feed_url(source)
    try:
        response = httpx.get(url, timeout=30, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise ReserverError(f"{url}: HTTP {exc.response.status_code}") from None
    except httpx.HTTPError as exc:
        raise ReserverError(f"{url}: cannot fetch the hits feed ({exc})") from None
    return response.text


def _hits_report(source: str, output_format: str) -> None:
    from rich.table import Table

    from ..evaluation.hits import parse_feed, shares
    from ..typo import default_model

    hits = parse_feed(_read_hits(source), source)
    model = default_model()
    tables = {by: shares(hits, model, by) for by in ("kind", "position")}
    if output_format == "csv":
        # The two tables as one: a row per kind and per position, told apart by "by".
        rows = [{"by": by, **_share_row(s)} for by, shares_by in tables.items() for s in shares_by]
        sys.stdout.write(csv_text(HITS_CSV_FIELDS, rows))
        return
    if output_format == "json":
        data = {
            "source": source,
            "names": len(hits),
            "hits": sum(h.hits for h in hits),
            **{f"by_{by}": [_share_row(s) for s in shares_by] for by, shares_by in tables.items()},
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    total = sum(h.hits for h in hits)
    for by, shares_by in tables.items():
        table = Table(title=f"Blocked installs by {by}: {total} hits on {len(hits)} names")
        for column in (by, "names held", "names hit", "hits", "share", "model expected"):
            table.add_column(column)
        for s in shares_by:
            expected = "-" if s.expected is None else f"{s.expected:.0%}"
            table.add_row(s.key, str(s.held), str(s.hit), str(s.hits), f"{s.share:.0%}", expected)
        console.print(table)
    info(
        "share: of all hits. model expected: each target's hits shared among the typo names "
        "held for it by the typo model's probability of each name."
    )


@app.command("evaluate")
def evaluate_command(
    dataset: Path | None = typer.Option(
        None, "--dataset", help="CSV of squat,target[,source] (default: the bundled set)."
    ),
    budget: int = typer.Option(25, "--budget", min=0, help="Names per target (0: unlimited)."),
    registry: str = typer.Option("pypi", "--registry", help="Rules: pypi, testpypi or private."),
    index: Path | None = typer.Option(
        None, "--index", help="A saved listing FILE for the 'too similar' rule (offline)."
    ),
    output_format: str = format_option(
        ("table", "json", "csv"), "Report format (csv: the table's rows, a row per kind)."
    ),
    split: str = typer.Option(
        "validation",
        "--split",
        help="Rows to measure: train, validation (whole targets held out) or all.",
    ),
    hits: str | None = typer.Option(
        None,
        "--hits",
        metavar="URL|FILE",
        help="Instead: which kinds of typo caught real people, from a stats service's hits "
        "feed (its URL, or /api/hits saved to a file), beside what the typo model expected.",
    ),
) -> None:
    """Share of known squats that the plan would have reserved or the registry refuses."""
    from ..evaluation.squats import SPLITS, default_dataset, evaluate, load_dataset, split_dataset
    from ..index.listing import load_listing_file
    from ..names.rules import PYPI, profile_named

    if hits is not None:
        _hits_report(hits, output_format)
        return
    if split not in SPLITS:
        raise ReserverError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
    try:
        profile = profile_named(registry)
    except ValueError as exc:
        raise ReserverError(str(exc)) from None
    attacks = split_dataset(load_dataset(dataset or default_dataset()), split)
    if not attacks:
        raise ReserverError(f"the {split} split of the dataset has no rows")
    known = load_listing_file(index).known() if index is not None else None
    logger.info("%d squats in the %s split, %s names per target, %s rules",
                len(attacks), split, budget or "unlimited", registry)  # fmt: skip
    result = evaluate(attacks, budget or None, profile if profile else PYPI, known)
    if output_format == "csv":
        sys.stdout.write(csv_text(KIND_CSV_FIELDS, (_kind_row(r) for r in result.per_kind())))
        return
    if output_format == "json":
        data = {
            "label": result.label,
            "split": split,
            "share": round(result.share, 4),
            "squats": len(result.outcomes),
            "per_kind": [_kind_row(r) for r in result.per_kind()],
            "missed": [
                {"squat": o.attack.squat, "target": o.attack.target, "kind": o.kind}
                for o in result.missed()
            ],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    console.print(_report(result, split))
    for outcome in result.missed():
        console.print(
            f"missed: {outcome.attack.squat} (imitating {outcome.attack.target}; {outcome.kind})",
            markup=False,
        )
