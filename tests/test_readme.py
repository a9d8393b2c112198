"""The README's commands work on a clean copy of the repository, in a fresh environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
WHEELHOUSE = REPO / ".wheelhouse"


def readme_commands() -> list[str]:
    """The two commands under the README's "Two commands" heading, in order."""
    text = (REPO / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```\n(.*?)```", section, re.DOTALL)]


def test_the_readme_gives_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "reserver demo" in commands[0]


def clean_copy(destination: Path) -> Path:
    """The files git knows (tracked, or new and not ignored), as a fresh clone would have."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():
            (destination / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / rel)
    return destination


@pytest.mark.slow
def test_the_first_command_installs_reserver_and_runs_the_demo(tmp_path: Path) -> None:
    if not any(WHEELHOUSE.glob("*.whl")):
        pytest.fail("no .wheelhouse: run 'bash scripts/test.sh', which builds it while installing")
    copy = clean_copy(tmp_path / "reserver")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    # The command is the README's, unchanged; pip is only told where the wheels are.
    dev_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in env.get("PATH", os.defpath).split(os.pathsep) if p != dev_bin)
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELHOUSE),
               PATH=path)  # fmt: skip
    done = subprocess.run(
        ["bash", "-c", readme_commands()[0]],
        cwd=copy, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert (copy / ".venv" / "bin" / "reserver").exists()
    assert "Did you mean 'requests'?" in output
    assert "pip install requests" in output and "uv pip install scikit-learn" in output
    # The dashboard's numbers are the two attempts the demo made, one per installer.
    assert "The dashboard counts 2 blocked installs" in output
    assert "by installer: pip: 1, uv-pip: 1" in output
