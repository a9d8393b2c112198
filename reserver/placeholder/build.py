"""Build every placeholder of a plan into sdists, validated before anything can upload them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..plan.model import Plan, PlanEntry
from .render import RenderedPackage, render
from .sdist import write_sdist_fast, write_sdist_with_build
from .validate import validate_sdist

BuildMethod = Literal["fast", "build"]

logger = logging.getLogger(__name__)


def sdist_path(entry: PlanEntry, plan: Plan, dist_dir: Path) -> Path:
    """Where ``build`` puts the sdist of ``entry``; ``upload`` looks for it there."""
    return dist_dir / RenderedPackage(entry.name, plan.version, {}).sdist_filename


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class BuiltSdist:
    """One placeholder sdist on disk: what ``build`` writes and ``upload`` sends."""

    name: str
    """The project name it holds."""
    path: Path
    sha256: str
    """Its digest: the index check knows our own upload by it."""

    @classmethod
    def at(cls, name: str, path: Path) -> BuiltSdist:
        """The sdist of ``name`` at ``path``, its digest read from the file."""
        return cls(name, path, sha256_of(path))

    @property
    def filename(self) -> str:
        return self.path.name


def build_plan(
    plan: Plan,
    out_dir: Path,
    stats_url: str | None = None,
    method: BuildMethod = "fast",
    progress: Callable[[BuiltSdist], None] | None = None,
) -> list[BuiltSdist]:
    """Render and build every buildable entry of ``plan`` into ``out_dir``.

    ``method="build"`` runs the PyPA ``build`` frontend once per package; ``"fast"`` runs the
    same archive writer in-process and gives byte-identical files, much faster.
    """
    write = write_sdist_fast if method == "fast" else write_sdist_with_build
    built: list[BuiltSdist] = []
    for entry in plan.buildable():
        package = render(entry, plan.holder, plan.version, stats_url)
        path = write(package, out_dir)
        validate_sdist(path)
        result = BuiltSdist.at(entry.name, path)
        logger.info("built %s", path)
        built.append(result)
        if progress is not None:
            progress(result)
    return built
