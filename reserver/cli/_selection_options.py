"""The selection options ``generate``, ``plan`` and ``reserve`` share, and the plan options
``plan`` and ``reserve`` share, each declared once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from ..config import resolve
from ..errors import ReserverError
from ..plan.holder import Holder
from ..selection.model import DEFAULT_CACHE, SelectionOptions, SelectionRequest
from ..typo.keyboard import LAYOUTS
from ._options import OptionGroup, declared, option

NAMES = typer.Option(
    [], "--name", "-n", help="SQUAT=TARGET (a typo and the package meant), or a stdlib name."
)


@dataclass(frozen=True)
class SelectionArgs(OptionGroup):
    """What chooses the names: the targets, the budget, the index and its rules."""

    targets: list[str] | None = declared(
        typer.Argument(None, help="Names to protect (distributions on the index).")
    )
    stdlib: bool = option(False, "--stdlib", help="Protect every standard-library module name.")
    top: int | None = option(None, "--top", min=1, help="Protect the N most popular packages.")
    popularity: str | None = option(
        None,
        "--popularity",
        metavar="FILE|URL",
        help="Top-packages JSON (FILE or URL) for --top and --stdlib's harms; default: bundled "
        "list.",
    )
    targets_file: Path | None = option(
        None, "--targets-file", help="One name per line; 'NAME internal' for private names."
    )
    budget: int | None = option(
        None,
        "--budget",
        min=0,
        help="Names per target (0: every candidate; default: config, else 25).",
    )
    total_budget: int | None = option(
        None, "--total-budget", min=1, help="Names across all targets."
    )
    popular_bonus: float = option(
        0.0,
        "--popular-bonus",
        min=0.0,
        help="Extra budget in proportion to downloads (1.0: x2 for the most downloaded).",
    )
    index: str | None = option(
        None,
        "--index",
        metavar="URL|FILE",
        help="Index URL, or a saved /simple/ listing FILE (default: PyPI).",
    )
    offline: bool = option(False, "--offline", help="Do not ask any index; statuses are unchecked.")
    registry: str | None = option(
        None,
        "--registry",
        metavar="pypi|testpypi|private",
        help="Rules to apply: pypi, testpypi or private (default: from --index).",
    )
    layout: list[str] = option(
        [],
        "--layout",
        help="Keyboard layouts: qwerty, qwertz, azerty (default: config, else qwerty).",
    )
    allow_unknown: bool = option(
        False, "--allow-unknown", help="Accept targets the index does not have."
    )
    wheel: list[Path] = option(
        [], "--wheel", help="A target's wheel: derive its import names from it."
    )
    cache_dir: Path = option(DEFAULT_CACHE, "--cache-dir", help="Where listings are cached.")

    def request(self, explain: bool = False) -> SelectionRequest:
        """The selection request these options ask for, refusing contradictions.

        Budget and keyboard layouts not given on the command line come from the configuration.
        """
        config = resolve({"budget": self.budget, "keyboard_layouts": list(self.layout) or None})
        budget = config["budget"]
        layouts = config["keyboard_layouts"]
        if self.offline and self.index is not None:
            raise ReserverError("--offline and --index exclude each other")
        for layout in layouts:
            if layout not in LAYOUTS:
                raise ReserverError(
                    f"unknown keyboard layout {layout!r} (known: {', '.join(LAYOUTS)})"
                )
        options = SelectionOptions(
            budget=budget or None,
            total_budget=self.total_budget,
            popular_bonus=self.popular_bonus,
            layouts=tuple(dict.fromkeys(layouts)),
            explain=explain,
        )
        return SelectionRequest(
            targets=tuple(self.targets or ()),
            stdlib=self.stdlib,
            top=self.top,
            popularity=self.popularity,
            targets_file=self.targets_file,
            index=self.index,
            offline=self.offline,
            registry=self.registry,
            cache_dir=self.cache_dir,
            allow_unknown=self.allow_unknown,
            wheels=tuple(self.wheel),
            options=options,
        )


@dataclass(frozen=True)
class PlanArgs(OptionGroup):
    """What a plan says besides its names: who holds them, the placeholders' version; and
    whether to plan a --name pair that looks reversed."""

    holder: str | None = option(
        None, "--holder", help=f"Who holds the names (default: config, else {Holder.name!r})."
    )
    contact: str | None = option(
        None, "--contact", help="Email or URL to ask for a name (default: config)."
    )
    holder_url: str | None = option(
        None, "--holder-url", help="Page explaining the effort (default: config)."
    )
    version: str = option("0.0.1", "--version", help="Placeholder version (final release).")
    force: bool = option(
        False, "--force", help="Plan --name pairs whose squat is itself a popular project."
    )
