"""End to end: plan, build and upload placeholders to a real pypiserver, then install them
with real pip, uv and Poetry, through the index and offline, and see them fail helpfully."""

from __future__ import annotations

import os
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
    installed_distributions,
    installer_env,
    run,
    uv_binary,
)

pytestmark = pytest.mark.slow


def pip_install(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                "install", *args], env=installer_env())  # fmt: skip


def uv_install(venv: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([uv_binary(), "pip", "install", "--python", str(venv / "bin" / "python"), *args],
               env=installer_env(UV_CACHE_DIR=str(cache)))  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("reqeusts", "pip install requests"),
        ("pwd", "needs no install"),
        ("telnetlib", "pip install telnetlib3"),
        ("sklearn", "pip install scikit-learn"),
    ],
)
def test_pip_install_through_the_index_fails_with_the_message(
    published: Published, target_venv: Path, name: str, expected: str
) -> None:
    done = pip_install(target_venv, "--index-url", published.index.simple_url, name)
    assert_failed_helpfully(done, expected)
    assert name not in installed_distributions(target_venv)


def test_pip_quiet_still_shows_the_message(published: Published, target_venv: Path) -> None:
    done = pip_install(target_venv, "-q", "--index-url", published.index.simple_url, "reqeusts")
    assert_failed_helpfully(done, "pip install requests")


def test_pip_offline_from_a_folder_fails_with_the_message(
    published: Published, target_venv: Path
) -> None:
    done = pip_install(target_venv, "--no-index", "--find-links", str(published.dist), "reqeusts")
    assert_failed_helpfully(done, "pip install requests")
    assert "reqeusts" not in installed_distributions(target_venv)


def test_uv_through_the_index_names_the_uv_command(
    published: Published, target_venv: Path, tmp_path: Path
) -> None:
    done = uv_install(target_venv, tmp_path, "--index-url", published.index.simple_url, "reqeusts")
    # `uv pip install` is told its own command, not the project one (uv add) first.
    assert_failed_helpfully(done, "uv pip install requests")
    assert "uv add" not in done.stdout + done.stderr
    assert "reqeusts" not in installed_distributions(target_venv)


def test_uv_offline_fails_with_the_message(
    published: Published, target_venv: Path, tmp_path: Path
) -> None:
    done = uv_install(target_venv, tmp_path, "--offline", "--no-index", "--find-links",
                      str(published.dist), "sklearn")  # fmt: skip
    assert_failed_helpfully(done, "uv pip install scikit-learn")


def test_the_message_comes_quickly(published: Published, target_venv: Path) -> None:
    # Not a benchmark: a guard that no build requirement is being fetched (that takes seconds).
    start = time.monotonic()
    pip_install(target_venv, "--no-index", "--find-links", str(published.dist), "pwd")
    assert time.monotonic() - start < 15


def poetry_project(folder: Path, index_url: str) -> Path:
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        "dependencies = []\n\n[tool.poetry]\npackage-mode = false\n\n"
        f'[[tool.poetry.source]]\nname = "local"\nurl = "{index_url}"\npriority = "primary"\n'
    )
    return folder


def poetry(project: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = installer_env(XDG_CACHE_HOME=str(tmp_path / "cache"),
                        XDG_CONFIG_HOME=str(tmp_path / "config"))  # fmt: skip
    return run([str(BIN / "poetry"), "add", "--no-interaction", *args], cwd=project, env=env)


def test_poetry_add_through_the_index_names_the_poetry_command(
    published: Published, tmp_path: Path
) -> None:
    project = poetry_project(tmp_path / "app", published.index.simple_url)
    before = (project / "pyproject.toml").read_text()
    done = poetry(project, tmp_path, "reqeusts")
    assert_failed_helpfully(done, "poetry add requests")
    assert (project / "pyproject.toml").read_text() == before


def test_poetry_add_of_a_local_file_fails_offline_with_the_message(
    published: Published, tmp_path: Path
) -> None:
    project = poetry_project(tmp_path / "app", "http://127.0.0.1:9/simple/")
    done = poetry(project, tmp_path, str(published.dist / "pwd-0.0.1.tar.gz"))
    assert_failed_helpfully(done, "needs no install")


def test_setup_py_run_directly_shows_the_same_message(tmp_path: Path) -> None:
    from reserver.placeholder.render import render
    from reserver.plan.holder import Holder
    from reserver.plan.model import entry_for

    root = render(entry_for("reqeusts", "requests"), Holder(), "0.0.1").write(tmp_path)
    done = run([sys.executable, "setup.py", "install"], cwd=root, env=dict(os.environ))
    assert done.returncode == 1
    assert "Did you mean 'requests'?" in done.stderr and "Traceback" not in done.stderr


def test_uv_lockers_run_the_backend_and_show_the_message(
    published: Published, tmp_path: Path
) -> None:
    # PKG-INFO says "Dynamic: Requires-Dist", so uv cannot trust it as static and asks the
    # backend, which fails with the message instead of pinning the placeholder in a lock.
    env = installer_env(UV_CACHE_DIR=str(tmp_path / "cache"))
    (tmp_path / "req.in").write_text("reqeusts\n")
    compiled = run([uv_binary(), "pip", "compile", str(tmp_path / "req.in"),
                    "--index-url", published.index.simple_url], env=env)  # fmt: skip
    assert_failed_helpfully(compiled, "Write it in your requirements.in:")
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1"\nrequires-python = ">=3.9"\n'
        'dependencies = ["reqeusts"]\n'
    )
    locked = run([uv_binary(), "lock", "--default-index", published.index.simple_url],
                 env=env, cwd=project)  # fmt: skip
    assert_failed_helpfully(locked, "uv add requests")
    assert not (project / "uv.lock").exists()


def test_poetry_lock_pins_a_placeholder_silently_and_check_catches_it(
    cli: Cli, published: Published, tmp_path: Path
) -> None:
    # Poetry resolves from index metadata without building, Dynamic field or not: the lock
    # is written. The docs (teams.md) say so and give the check that catches it.
    project = poetry_project(tmp_path / "app", published.index.simple_url)
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(
        text.replace("dependencies = []", 'dependencies = ["reqeusts"]')
    )
    env = installer_env(XDG_CACHE_HOME=str(tmp_path / "cache"),
                        XDG_CONFIG_HOME=str(tmp_path / "config"))  # fmt: skip
    locked = run([str(BIN / "poetry"), "lock", "--no-interaction"], cwd=project, env=env)
    assert locked.returncode == 0, locked.stdout + locked.stderr
    assert 'name = "reqeusts"' in (project / "poetry.lock").read_text()
    checked = cli("check", str(project / "poetry.lock"), "--format", "json")
    assert checked.returncode == 1, checked.stderr
    assert '"target": "requests"' in checked.stdout
