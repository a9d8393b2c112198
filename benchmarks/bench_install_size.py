"""What each install of reserver costs: distributions and megabytes in a fresh virtual
environment, for the base install (the guard) and each extra.

Installs offline from the wheelhouse scripts/test.sh builds (.wheelhouse: every extra's
wheels), so the figures are for the versions pinned there. pip itself (and setuptools, which
Python 3.11's venv adds) is not counted: it is in every venv before reserver.

    .venv/bin/python benchmarks/bench_install_size.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WHEELHOUSE = REPO / ".wheelhouse"
#: The issue's bound for the guard alone (#14).
GUARD_LIMITS = (20, 80.0)
EXTRAS = ("", "reserve", "stats", "postgres", "demo", "all")


@dataclass(frozen=True)
class InstallSize:
    extra: str
    distributions: int
    megabytes: float


def _site_size(venv: Path) -> int:
    return sum(f.stat().st_size for f in venv.glob("lib/python*/site-packages/**/*") if f.is_file())


def _listed(python: Path) -> set[str]:
    out = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return {row["name"].lower() for row in json.loads(out)}


def measure(extra: str, work: Path) -> InstallSize:
    """Install reserver (with ``extra``) into a new venv under ``work``, offline."""
    venv = work / (extra or "guard")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    before, before_size = _listed(python), _site_size(venv)
    target = f"{REPO}[{extra}]" if extra else str(REPO)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links",
         str(WHEELHOUSE), target],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": "/dev/null",
             "PIP_DISABLE_PIP_VERSION_CHECK": "1", "HOME": str(work)},
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"pip install {target} failed:\n{done.stderr[-2000:]}")
    added = _listed(python) - before
    return InstallSize(extra or "guard", len(added), (_site_size(venv) - before_size) / 1e6)


def main() -> int:
    if not any(WHEELHOUSE.glob("*.whl")):
        print("no .wheelhouse: run 'bash scripts/test.sh' first (it builds it)")
        return 1
    print("| install | distributions | MB (site-packages) | bound |")
    print("| --- | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for extra in EXTRAS:
            size = measure(extra, Path(tmp))
            bound = f"<= {GUARD_LIMITS[0]}, <= {GUARD_LIMITS[1]:.0f} MB" if not extra else ""
            name = "reserver" if not extra else f"reserver[{extra}]"
            print(f"| `pip install {name}` | {size.distributions} | {size.megabytes:.1f} "
                  f"| {bound} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
