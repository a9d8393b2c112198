"""The selection options ``generate``, ``plan`` and ``reserve`` share, declared once."""

from __future__ import annotations

from pathlib import Path

import typer

from ..config import resolve
from ..errors import ReserverError
from ..plan.holder import Holder
from ..selection.model import DEFAULT_CACHE, SelectionOptions, SelectionRequest
from ..typo.keyboard import LAYOUTS

TARGETS = typer.Argument(None, help="Names to protect (distributions on the index).")
NAMES = typer.Option(
    [], "--name", "-n", help="SQUAT=TARGET (a typo and the package meant), or a stdlib name."
)
STDLIB = typer.Option(False, "--stdlib", help="Protect every standard-library module name.")
TOP = typer.Option(None, "--top", min=1, help="Protect the N most popular packages.")
POPULARITY = typer.Option(
    None,
    "--popularity",
    metavar="FILE|URL",
    help="Top-packages JSON (FILE or URL) for --top and --stdlib's harms; default: bundled list.",
)
TARGETS_FILE = typer.Option(
    None, "--targets-file", help="One name per line; 'NAME internal' for private names."
)
BUDGET = typer.Option(
    None, "--budget", min=0, help="Names per target (0: every candidate; default: config, else 25)."
)
TOTAL_BUDGET = typer.Option(None, "--total-budget", min=1, help="Names across all targets.")
POPULAR_BONUS = typer.Option(
    0.0,
    "--popular-bonus",
    min=0.0,
    help="Extra budget in proportion to downloads (1.0: x2 for the most downloaded).",
)
INDEX = typer.Option(
    None,
    "--index",
    metavar="URL|FILE",
    help="Index URL, or a saved /simple/ listing FILE (default: PyPI).",
)
OFFLINE = typer.Option(False, "--offline", help="Do not ask any index; statuses are unchecked.")
REGISTRY = typer.Option(
    None,
    "--registry",
    metavar="pypi|testpypi|private",
    help="Rules to apply: pypi, testpypi or private (default: from --index).",
)
LAYOUT = typer.Option(
    [],
    "--layout",
    help="Keyboard layouts: qwerty, qwertz, azerty (default: config, else qwerty).",
)
ALLOW_UNKNOWN = typer.Option(
    False, "--allow-unknown", help="Accept targets the index does not have."
)
WHEEL = typer.Option([], "--wheel", help="A target's wheel: derive its import names from it.")
CACHE_DIR = typer.Option(DEFAULT_CACHE, "--cache-dir", help="Where listings are cached.")
HOLDER = typer.Option(
    None, "--holder", help=f"Who holds the names (default: config, else {Holder.name!r})."
)
CONTACT = typer.Option(None, "--contact", help="Email or URL to ask for a name (default: config).")
HOLDER_URL = typer.Option(
    None, "--holder-url", help="Page explaining the effort (default: config)."
)
VERSION = typer.Option("0.0.1", "--version", help="Placeholder version (final release).")
FORCE = typer.Option(
    False, "--force", help="Plan --name pairs whose squat is itself a popular project."
)


def build_request(
    *,
    targets: list[str] | None,
    stdlib: bool,
    top: int | None,
    popularity: str | None,
    targets_file: Path | None,
    budget: int | None,
    total_budget: int | None,
    popular_bonus: float,
    index: str | None,
    offline: bool,
    registry: str | None,
    layouts: list[str],
    allow_unknown: bool,
    wheels: list[Path],
    cache_dir: Path,
    explain: bool = False,
) -> SelectionRequest:
    """Turn command-line values into a selection request, refusing contradictions.

    Budget and keyboard layouts not given on the command line come from the configuration.
    """
    config = resolve({"budget": budget, "keyboard_layouts": list(layouts) or None})
    budget = config["budget"]
    layouts = config["keyboard_layouts"]
    if offline and index is not None:
        raise ReserverError("--offline and --index exclude each other")
    for layout in layouts:
        if layout not in LAYOUTS:
            raise ReserverError(f"unknown keyboard layout {layout!r} (known: {', '.join(LAYOUTS)})")
    options = SelectionOptions(
        budget=budget or None,
        total_budget=total_budget,
        popular_bonus=popular_bonus,
        layouts=tuple(dict.fromkeys(layouts)),
        explain=explain,
    )
    return SelectionRequest(
        targets=tuple(targets or ()),
        stdlib=stdlib,
        top=top,
        popularity=popularity,
        targets_file=targets_file,
        index=index,
        offline=offline,
        registry=registry,
        cache_dir=cache_dir,
        allow_unknown=allow_unknown,
        wheels=tuple(wheels),
        options=options,
    )
