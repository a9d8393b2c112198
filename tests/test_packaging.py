"""reserver's own wheel carries its templates, so a non-editable install works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_ships_the_templates_and_builds_from_another_directory(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "wheels"), str(REPO)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("reserver-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "reserver/templates/placeholder/_reserver_backend.py" in names
        assert "reserver/templates/placeholder/_placeholder.py.j2" in names
        archive.extractall(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import reserver.placeholder.render as r, pathlib\n"
        "from reserver.placeholder.build import build_plan\n"
        "from reserver.plan.model import make_plan, entry_for\n"
        "root = r.templates_root()\n"
        "assert pathlib.Path(sys.argv[1]) in root.parents, root\n"
        "print(build_plan(make_plan([entry_for('pwd')]), pathlib.Path('out'))[0].path.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script, str(tmp_path / "site")],
        cwd=elsewhere, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pwd-0.0.1.tar.gz"


@pytest.mark.slow
def test_the_base_install_is_the_guard_alone_and_small(tmp_path: Path) -> None:
    # The figures of benchmarks/bench_install_size.py, held to the bound a team's CI and
    # pre-commit need (#14): at most 20 distributions and 80 MB besides pip.
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_install_size import GUARD_LIMITS, WHEELHOUSE, measure

    if not any(WHEELHOUSE.glob("*.whl")):
        pytest.fail("no .wheelhouse: run 'bash scripts/test.sh', which builds it while installing")
    size = measure("", tmp_path)
    assert size.distributions <= GUARD_LIMITS[0], size
    assert size.megabytes <= GUARD_LIMITS[1], size
    reserver = str(tmp_path / "guard" / "bin" / "reserver")
    checked = subprocess.run([reserver, "check", "reqeusts"], capture_output=True, text=True)
    assert checked.returncode == 1 and "requests" in checked.stdout, checked.stderr
    plan = tmp_path / "plan.json"
    planned = subprocess.run([reserver, "plan", "--name", "reqeusts=requests", "--offline",
                              "-o", str(plan)], capture_output=True, text=True)  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    built = subprocess.run([reserver, "build", str(plan)], capture_output=True, text=True)
    assert built.returncode == 2, built.stderr
    assert built.stderr.startswith("error: reserver build needs the 'reserve' extra"), built.stderr
    assert "pip install 'reserver[reserve]'" in built.stderr and "Traceback" not in built.stderr
    # The demo asks for its extra before it starts a child that would need it.
    demo = subprocess.run([reserver, "demo", "--workdir", str(tmp_path / "demo")],
                          capture_output=True, text=True)  # fmt: skip
    assert demo.returncode == 2, demo.stderr
    assert "reserver demo needs the 'demo' extra" in demo.stderr, demo.stderr
