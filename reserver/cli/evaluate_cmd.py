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
    output_format: str = typer.Option("table", "--format", "-f", help="table or json."),
    split: str = typer.Option(
        "validation",
        "--split",
        help="Rows to measure: train, validation (whole targets held out) or all.",
    ),
) -> None:
    """Share of known squats that the plan would have reserved or the registry refuses."""
    from ..evaluate import SPLITS, default_dataset, evaluate, load_dataset, split_dataset
    from ..index.listing import load_listing_file
    from ..names.rules import PYPI, profile_named

    if output_format not in ("table", "json"):
        raise ReserverError(f"--format must be table or json, not {output_format!r}")
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
