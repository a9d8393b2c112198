"""``reserver check``: warn about dependency names that look like typos of popular packages.

Exit status: 0 nothing found, 1 something found, 2 usage error (including an unreadable or
malformed input file), so that CI and pre-commit can tell a finding from a broken run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from ..config import resolve
from ..errors import ReserverError
from ._app import app, usage_error
from ._options import CORPUS, OUTPUT
from ._output import Verbosity, format_option, verbosity

#: The names of reserver.guard.formats.FORMATS, written out: importing the guard for the
#: option's declaration would slow every command's start (tests/guard/test_formats.py keeps
#: the two equal).
CHECK_FORMATS = ("table", "json", "csv", "sarif")


def _is_file(item: str) -> bool:
    try:
        return Path(item).is_file()
    except OSError:  # a name too long to be a path is a name (and name checks refuse it)
        return False


def _index_membership(index: str) -> tuple[str, Callable[[str], bool]]:
    """The index's name and a test of whether it has a (canonical) name."""
    from ..index.listing import names_of
    from ..selection.model import DEFAULT_CACHE

    known, lookup = names_of(index, DEFAULT_CACHE)
    return index, lookup.exists if lookup is not None else known.__contains__


@app.command("check")
def check_command(
    items: list[str] = typer.Argument(
        None,
        metavar="[NAME|FILE]...",
        help="Package names, or dependency files (requirements, pyproject.toml, Pipfile, "
        "uv.lock, poetry.lock, pdm.lock, pylock.toml); an existing path, or one that looks "
        "like a file (a '/', or .txt, .toml, .lock...), is read as a file.",
    ),
    requirement: list[Path] = typer.Option(
        [], "--requirement", "-r", help="A dependency file to read (repeatable)."
    ),
    corpus: str | None = CORPUS,
    top: int | None = typer.Option(
        None, "--top", min=1, help="Only the first N names of the corpus count as popular."
    ),
    allow: list[str] = typer.Option(
        [], "--allow", metavar="NAME", help="A name that is never a finding."
    ),
    allow_file: Path | None = typer.Option(
        None, "--allow-file", help="Names that are never findings, one per line."
    ),
    output_format: str = format_option(CHECK_FORMATS, "Report format."),
    output: Path | None = OUTPUT,
    min_score: float = typer.Option(
        0.5,
        "--min-score",
        min=0.01,
        max=1.0,
        help="Report only findings scoring at least this (0.5: each edit family's fitted "
        "threshold; higher is quieter).",
    ),
    index: str | None = typer.Option(
        None,
        "--index",
        metavar="URL|FILE",
        help="Also report dependencies this index does not have (its /simple/ listing, or a "
        "saved listing file): a name nobody registered is what dependency confusion and "
        "hallucinated-package attacks claim next.",
    ),
    fail_on: str = typer.Option(
        "warning",
        "--fail-on",
        metavar="warning|error",
        help="Exit 1 on any finding (warning), or only on errors: findings scoring 0.8 or "
        "more (the SARIF level; 0.3% of popular projects ranked 10,001-15,000 reach it).",
    ),
) -> None:
    """Check dependency names for likely typosquats of popular packages."""  # fmt: skip
    from ..guard.check import check
    from ..guard.corpus import corpus_from, default_corpus, load_corpus
    from ..guard.detect import Policy
    from ..guard.formats import FORMATS
    from ..guard.model import LEVELS
    from ..selection.model import DEFAULT_CACHE

    if fail_on not in LEVELS:
        raise usage_error(f"--fail-on must be warning or error, not {fail_on!r}")
    names: list[str] = []
    from ..guard.sources import looks_like_a_file

    files = list(requirement)
    for item in items or []:
        # A path-like argument is a file even when missing: reading "nope.txt" as a package
        # name would find nothing and pass a mistyped CI step.
        if _is_file(item) or looks_like_a_file(item):
            files.append(Path(item))
        else:
            names.append(item)
    if not names and not files:
        raise usage_error("nothing to check: give package names or dependency files")
    try:
        popular = corpus_from(corpus, DEFAULT_CACHE) if corpus is not None else default_corpus()
        if top is not None:
            popular = popular[:top]
        allowed = [*allow, *resolve()["allow"]]
        if allow_file is not None:
            allowed.extend(load_corpus(allow_file))
        registry = _index_membership(index) if index is not None else None
        report = check(names, files, popular, allowed, Policy(min_score=min_score), registry)
    except ReserverError as exc:
        raise usage_error(str(exc)) from None
    text = FORMATS[output_format](report.findings)
    quiet = verbosity() is Verbosity.QUIET
    if quiet and not report.findings and output is None and output_format == "table":
        text = ""  # "no likely typosquats found" informs; -q prints findings alone
    if output is not None:
        from .._files import write_atomic

        try:
            write_atomic(output, text.encode())
        except ReserverError as exc:
            raise usage_error(str(exc)) from None
    else:
        typer.echo(text, nl=False)
    failing = LEVELS[LEVELS.index(fail_on) :]
    if any(finding.level in failing for finding in report.findings):
        raise typer.Exit(1)
