"""Shared fixtures: a real pypiserver on loopback, and installer environments kept clean."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reserver.index.local import LocalIndex

BIN = Path(sys.executable).parent


def installer_env(**extra: str) -> dict[str, str]:
    """The environment for a real installer run: no machine-wide pip/uv configuration leaks in.

    This machine's pip configuration adds local wheel folders and extra indexes; an installer
    in a test must see only the index the test gives it.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "TWINE_", "POETRY_"))
        and k not in ("CI", "BUILD_ID", "BUILD_BUILDID", "DO_NOT_TRACK", "VIRTUAL_ENV")
    }
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["UV_NO_CONFIG"] = "1"
    env["NO_COLOR"] = "1"
    # Without a terminal uv wraps its error output at COLUMNS, 80 by default, which splits the
    # placeholder's message lines; the tests compare whole lines, as a wide terminal shows them.
    env["COLUMNS"] = "1000"
    env.update(extra)
    return env


def uv_binary() -> str:
    found = shutil.which("uv", path=str(BIN)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is not installed; install the test extras")
    return found


@pytest.fixture(scope="session")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    """A real pypiserver with authenticated uploads and no fallback, shared by a session."""
    with LocalIndex(tmp_path_factory.mktemp("index") / "packages") as index:
        yield index


@pytest.fixture
def fresh_index(tmp_path: Path) -> Iterator[LocalIndex]:
    """A real pypiserver of a test's own, empty at the start."""
    with LocalIndex(tmp_path / "packages") as index:
        yield index


@pytest.fixture(scope="session")
def target_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty virtual environment (no pip inside) that installers install into."""
    path = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def installed_distributions(venv: Path) -> set[str]:
    """Distribution names present in ``venv``, read from its site-packages."""
    names: set[str] = set()
    for site in venv.glob("lib/python*/site-packages"):
        for meta in site.glob("*.dist-info"):
            names.add(meta.name.split("-")[0].lower())
    return names
