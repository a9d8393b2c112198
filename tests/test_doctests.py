"""The examples in reserver's docstrings run with the suite: pytest collects them from every
module of the package (``--doctest-modules`` over ``reserver/``, pyproject.toml), so no
module's examples are left out of a list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reserver._files import parse_toml

REPO = Path(__file__).resolve().parents[1]


def test_a_plain_pytest_run_collects_every_modules_examples() -> None:
    # `pytest` with no path (the README's and CI's command) runs the testpaths; with the
    # project's own options alone it must find the examples there. Dropping the options, or a
    # module that cannot be imported, would leave examples unrun.
    options = parse_toml((REPO / "pyproject.toml").read_text())["tool"]["pytest"]
    assert "reserver" in options["ini_options"]["testpaths"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "reserver"],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    examples = [line for line in done.stdout.splitlines() if line.startswith("reserver/")]
    assert len(examples) > 80, done.stdout[-2000:]
    # From every corner of the package, not one or two modules.
    modules = {line.split("::")[0] for line in examples}
    for package in ("names", "typo", "index", "plan", "stats", "guard", "cli"):
        assert any(m.startswith(f"reserver/{package}/") for m in modules), (package, modules)
