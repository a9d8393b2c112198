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
        "from reserver.builder import build_plan\n"
        "from reserver.plan import make_plan, entry_for\n"
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
