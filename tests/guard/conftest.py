"""Fixtures of the guard tests: a small popularity corpus written here, and the CLI run in a
child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: The most downloaded projects of a "top PyPI packages" list, in popularity order (a short,
#: hand-written stand-in: tests must not read the benchmark data).
POPULAR = [
    "boto3", "packaging", "setuptools", "urllib3", "certifi", "requests", "idna",
    "typing-extensions", "charset-normalizer", "python-dateutil", "numpy", "six", "pyyaml",
    "s3transfer", "botocore", "grpcio-status", "pip", "cryptography", "fsspec", "attrs",
    "pydantic", "colorama", "pandas", "click", "jinja2", "markupsafe", "protobuf",
    "platformdirs", "wheel", "pytest", "scikit-learn", "matplotlib", "beautifulsoup4",
    "prompt-toolkit", "redis", "sqlalchemy", "django", "flask", "twine", "jellyfish",
    "pillow", "pymc", "fabric", "poetry-core", "tomli", "rich", "httpx", "pyjwt",
]  # fmt: skip

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "popular.txt"
    path.write_text("\n".join(POPULAR) + "\n")
    return path


def run_cli_process(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point in a child process, as pre-commit or cron would; a run
    past ``timeout`` seconds raises ``TimeoutExpired`` (the child is killed). Only for a run
    that must be stopped at a deadline, which the in-process ``cli`` fixture cannot do."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from reserver.cli import main; main()", *args],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=timeout,
    )  # fmt: skip
