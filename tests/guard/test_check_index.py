"""check --index: a dependency the index does not have is reported, against a real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import Cli, Published

pytestmark = pytest.mark.slow


def test_a_dependency_absent_from_a_real_index_is_reported(
    cli: Cli, published: Published, tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("sklearn\nacme-internal-tools==1.2\n")
    done = cli("check", "-r", str(requirements), "--index", published.index.url,
               "--format", "json")  # fmt: skip
    assert done.returncode == 1, done.stderr
    (finding,) = [f for f in json.loads(done.stdout) if f["kind"] == "unregistered"]
    assert (finding["name"], finding["line"], finding["level"]) == (
        "acme-internal-tools",
        2,
        "error",
    )
    assert published.index.url in finding["detail"]
    # The same from a saved listing, and an allowed name is never a finding.
    listing = tmp_path / "listing.txt"
    listing.write_text("sklearn\n")
    saved = cli("check", "-r", str(requirements), "--index", str(listing),
                "--allow", "acme-internal-tools", "--format", "json")  # fmt: skip
    assert saved.returncode == 0 and json.loads(saved.stdout) == [], saved.stderr


def test_an_index_that_cannot_be_reached_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    done = cli("check", "requests", "--index", "http://127.0.0.1:9/simple/")
    assert done.returncode == 2 and done.stderr.startswith("error: "), done.stderr
    assert done.stderr.count("\n") == 1 and "cannot reach the index" in done.stderr
