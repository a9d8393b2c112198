"""``reserver evaluate``: how many real attacks a plan would have held or the registry refuses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import ReserverError
from ._app import app, console

if TYPE_CHECKING:
    from rich.table import Table

    from ..evaluate import Evaluation


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


def _read_hits(source: str) -> str:
    """The text of a hits feed: a stats service's URL, or a file saved from one."""
    if not source.startswith(("http://", "https://")):
        from ..inputs import read_text_file

        return read_text_file(Path(source), "hits feed")
    import httpx

    from ..hits import feed_url

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

    from ..hits import parse_feed, shares
    from ..typo import default_model

    hits = parse_feed(_read_hits(source), source)
    model = default_model()
    tables = {by: shares(hits, model, by) for by in ("kind", "position")}
    if output_format == "json":
        data = {
            "source": source,
            "names": len(hits),
            "hits": sum(h.hits for h in hits),
            **{
                f"by_{by}": [
                    {"key": s.key, "held": s.held, "hit": s.hit, "hits": s.hits,
                     "share": round(s.share, 4),
                     "expected": None if s.expected is None else round(s.expected, 4)}
                    for s in rows
                ]
                for by, rows in tables.items()
            },
        }  # fmt: skip
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    total = sum(h.hits for h in hits)
    for by, rows in tables.items():
        table = Table(title=f"Blocked installs by {by}: {total} hits on {len(hits)} names")
        for column in (by, "names held", "names hit", "hits", "share", "model expected"):
            table.add_column(column)
        for s in rows:
            expected = "-" if s.expected is None else f"{s.expected:.0%}"
            table.add_row(s.key, str(s.held), str(s.hit), str(s.hits), f"{s.share:.0%}", expected)
        console.print(table)
    console.print(
        "share: of all hits. model expected: each target's hits shared among the typo names "
        "held for it by the typo model's probability of each name.",
        markup=False,
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
    output_format: str = typer.Option(
        "table", "--format", "-f", metavar="table|json", help="Report format."
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
    from ..evaluate import SPLITS, default_dataset, evaluate, load_dataset, split_dataset
    from ..index.listing import load_listing_file
    from ..names.rules import PYPI, profile_named

    if output_format not in ("table", "json"):
        raise ReserverError(f"--format must be table or json, not {output_format!r}")
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
    result = evaluate(attacks, budget or None, profile if profile else PYPI, known)
    if output_format == "json":
        data = {
            "label": result.label,
            "split": split,
            "share": round(result.share, 4),
            "squats": len(result.outcomes),
            "per_kind": [
                {
                    "kind": r.kind,
                    "squats": r.total,
                    "reserved": r.reserved,
                    "blocked": r.blocked,
                    "missed": r.missed,
                }
                for r in result.per_kind()
            ],
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
