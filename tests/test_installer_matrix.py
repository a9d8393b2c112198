"""The installers and lockers beyond pip, uv and Poetry, for real, against a real local index:
each one either shows the placeholder's message with advice in its own words, or is a locker
that pins the name silently and that `reserver check` catches in its lock file (docs/teams.md).

pipenv and pdm's lock keep a failed build's output to themselves: the placeholder tells the
terminal directly, so those runs get a terminal of their own (a pty), as a person's would.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import (
    BIN,
    Cli,
    Published,
    assert_failed_helpfully,
    installer_env,
    on_a_terminal,
    run,
    uv_binary,
)

pytestmark = pytest.mark.slow

WHEELHOUSE = Path(__file__).resolve().parents[1] / ".wheelhouse" / "old-pip"
#: An old pip line still in use (Debian 12 ships 23.0; 22.x is in many images).
OLD_PIP = "22.3.1"


def tool_env(home: Path, **extra: str) -> dict[str, str]:
    """Each tool's home, cache and configuration in the test's own folder."""
    return installer_env(
        HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"), **extra,
    )  # fmt: skip


def in_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run ``args`` with a pty as its controlling terminal; what the terminal showed."""
    process, primary = on_a_terminal(args, cwd=cwd, env=env)
    seen = b""
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:
                    break  # the other side closed: the process and its children are done
                if not chunk:
                    break
                seen += chunk
            elif process.poll() is not None:
                break
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    # A terminal turns "\n" into "\r\n".
    return code, seen.decode(errors="replace").replace("\r\n", "\n")


def pdm_project(folder: Path, index_url: str, dependencies: str = "") -> Path:
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n\n[tool.pdm]\ndistribution = false\n\n"
        f'[[tool.pdm.source]]\nname = "pypi"\nurl = "{index_url}"\n'
    )
    return folder


def test_pipx_install_names_the_pipx_command(published: Published, tmp_path: Path) -> None:
    env = tool_env(tmp_path, PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"))
    done = run([str(BIN / "pipx"), "install", "--index-url", published.index.simple_url,
                "reqeusts"], env=env, cwd=tmp_path)  # fmt: skip
    assert_failed_helpfully(done, "pipx install requests")
    assert not (tmp_path / "bin" / "reqeusts").exists()


def test_pdm_add_names_the_pdm_command(cli: Cli, published: Published, tmp_path: Path) -> None:
    project = pdm_project(tmp_path / "app", published.index.simple_url)
    done = run([str(BIN / "pdm"), "add", "reqeusts"], env=tool_env(tmp_path), cwd=project)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    # pdm prints its own traceback; the message is its last lines, in pdm's words.
    assert "is a placeholder: installation stopped on purpose" in output, output
    assert "pdm add requests" in output and "pip install" not in output, output
    # pdm locks before it installs, and keeps the name it could not install in
    # pyproject.toml: docs/teams.md says so, and check finds it there.
    assert '"reqeusts>=' in (project / "pyproject.toml").read_text()
    checked = cli("check", str(project / "pyproject.toml"))
    assert checked.returncode == 1 and "requests" in checked.stdout, checked.stderr


def test_pdm_lock_pins_silently_but_tells_the_terminal_and_check_catches_the_lock(
    cli: Cli, published: Published, tmp_path: Path
) -> None:
    project = pdm_project(tmp_path / "app", published.index.simple_url, '"reqeusts"')
    code, shown = in_a_terminal([str(BIN / "pdm"), "lock"], project, tool_env(tmp_path))
    # pdm asks the backend, swallows its failure and writes the lock all the same ...
    assert code == 0, shown
    assert 'name = "reqeusts"' in (project / "pdm.lock").read_text()
    # ... but the person at the terminal has read why, in pdm's words ...
    assert "is a placeholder: installation stopped on purpose" in shown, shown
    assert "pdm add requests" in shown, shown
    # ... and CI, which has no terminal, catches the lock file.
    checked = cli("check", str(project / "pdm.lock"), "--format", "json")
    assert checked.returncode == 1 and '"target": "requests"' in checked.stdout, checked.stderr


def test_pipenv_install_tells_the_terminal_in_pipenv_words(
    published: Published, tmp_path: Path
) -> None:
    (tmp_path / "Pipfile").write_text(
        f'[[source]]\nurl = "{published.index.simple_url}"\nverify_ssl = false\n'
        'name = "local"\n\n[packages]\n'
    )
    env = tool_env(tmp_path, PIPENV_VENV_IN_PROJECT="1", PIPENV_YES="1", PIPENV_NOSPIN="1")
    code, shown = in_a_terminal([str(BIN / "pipenv"), "install", "reqeusts"], tmp_path, env)
    assert code != 0, shown
    # pipenv itself only says "Locking Failed!": the message reached the terminal directly.
    assert "is a placeholder: installation stopped on purpose" in shown, shown
    assert "pipenv install requests" in shown, shown


def test_pip_compile_says_what_to_write_in_requirements_in(
    published: Published, tmp_path: Path
) -> None:
    (tmp_path / "requirements.in").write_text("reqeusts\n")
    done = run([str(BIN / "pip-compile"), "--index-url", published.index.simple_url,
                "requirements.in"], env=tool_env(tmp_path), cwd=tmp_path)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "is a placeholder: installation stopped on purpose" in output, output
    assert "Write it in your requirements.in:" in output, output
    assert not (tmp_path / "requirements.txt").exists()


def test_an_old_pip_shows_the_message(published: Published, tmp_path: Path) -> None:
    wheels = sorted(WHEELHOUSE.glob(f"pip-{OLD_PIP}-*.whl"))
    assert wheels, f"pip {OLD_PIP} is not in .wheelhouse: scripts/test.sh downloads it"
    venv = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    env = tool_env(tmp_path)
    # pip runs from its own wheel to install itself, offline.
    done = run([python, f"{wheels[0]}/pip", "install", "-q", "--no-index", str(wheels[0])],
               env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = run([python, "-m", "pip", "install", "--index-url", published.index.simple_url,
                "reqeusts"], env=env)  # fmt: skip
    assert_failed_helpfully(done, "pip install requests")


def test_hatch_says_what_to_write_in_the_project_dependencies(
    published: Published, tmp_path: Path
) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
        "dependencies = []\n\n[tool.hatch.envs.default]\nskip-install = true\n"
        'dependencies = ["reqeusts"]\n'
    )
    env = tool_env(tmp_path, PIP_INDEX_URL=published.index.simple_url,
                   HATCH_DATA_DIR=str(tmp_path / "hatch"))  # fmt: skip
    done = run([str(BIN / "hatch"), "env", "create"], env=env, cwd=project)
    assert_failed_helpfully(done, "Write it in your project's dependencies (pyproject.toml):")


def test_uv_add_names_the_project_command(published: Published, tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1"\nrequires-python = ">=3.10"\ndependencies = []\n'
    )
    before = (project / "pyproject.toml").read_text()
    done = run([uv_binary(), "add", "--default-index", published.index.simple_url, "reqeusts"],
               env=tool_env(tmp_path, UV_CACHE_DIR=str(tmp_path / "uv")), cwd=project)  # fmt: skip
    assert_failed_helpfully(done, "uv add requests")
    # uv adds nothing it could not lock.
    assert (project / "pyproject.toml").read_text() == before
