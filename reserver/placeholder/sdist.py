"""Build placeholder sdists: in-process for batches, or through the PyPA ``build`` frontend.

Both paths run the same archive writer (the placeholder's own backend), so they give
byte-identical files; the in-process path only skips writing the tree and starting a
frontend in a fresh environment for every package.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from ..errors import ReserverError
from .render import PLACEHOLDER_DIR, RenderedPackage, templates_root

BACKEND_FILE = "_reserver_backend.py"


@lru_cache(maxsize=4)
def _backend(templates: Path) -> ModuleType:
    path = templates / PLACEHOLDER_DIR / BACKEND_FILE
    spec = importlib.util.spec_from_file_location("_reserver_placeholder_backend", path)
    if spec is None or spec.loader is None:
        raise ReserverError(f"cannot load the placeholder backend from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sdist_bytes(package: RenderedPackage, templates: Path | None = None) -> bytes:
    """The sdist of ``package``, made in memory exactly as its backend's build_sdist makes it."""
    backend = _backend(templates or templates_root())
    data: bytes = backend.make_sdist(package.base, package.files)
    return data


def write_sdist_fast(package: RenderedPackage, out_dir: Path) -> Path:
    """Write the sdist of ``package`` into ``out_dir`` without starting any process."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / package.sdist_filename
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(sdist_bytes(package))
    partial.replace(target)
    return target


def write_sdist_with_build(package: RenderedPackage, out_dir: Path) -> Path:
    """Write the tree and run ``python -m build --sdist`` on it, as a maintainer would."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reserver-src-") as tmp:
        source = package.write(Path(tmp))
        result = subprocess.run(
            [sys.executable, "-m", "build", "--sdist", "--outdir", str(out_dir), str(source)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ReserverError(f"build failed for {package.name}: {tail[0]}")
    target = out_dir / package.sdist_filename
    if not target.is_file():
        raise ReserverError(f"build did not produce {target.name}")
    return target
