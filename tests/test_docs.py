"""Every command shown in the user guide (docs/*.md) runs, against a real local index."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reserver.index.local import LocalIndex

from .conftest import installer_env

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXPECTED_EXIT = re.compile(r"\s+#\s*exits (\d+)\s*$")

pytestmark = pytest.mark.slow


def guide_commands(page: Path) -> list[tuple[str, int]]:
    """The ``$ command`` lines of the page's console blocks, with their expected exit status."""
    commands: list[tuple[str, int]] = []
    for block in re.findall(r"```console\n(.*?)```", page.read_text(), re.DOTALL):
        for line in block.splitlines():
            if not line.startswith("$ "):
                continue
            command = line[2:]
            match = EXPECTED_EXIT.search(command)
            expected = int(match.group(1)) if match else 0
            commands.append((EXPECTED_EXIT.sub("", command), expected))
    return commands


def test_every_guide_page_shows_commands() -> None:
    pages = sorted(DOCS.glob("*.md"))
    assert pages and all(guide_commands(page) for page in pages)


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.stem)
def test_the_commands_of_a_guide_page_run(page: Path, tmp_path: Path) -> None:
    # A saved listing stands in for PyPI's: the guide reads "$INDEX", here a file.
    listing = tmp_path / "listing.txt"
    listing.write_text("requests\nnumpy\nacme-widgets\nurllib3\nidna\ncertifi\n")
    bin_dir = str(Path(sys.executable).parent)
    with LocalIndex(tmp_path / "packages") as index:
        env = installer_env(
            INDEX=str(listing),
            REPOSITORY_URL=index.url,
            SIMPLE_URL=index.simple_url,
            TWINE_USERNAME=index.username,
            TWINE_PASSWORD=index.password,
            PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""),
        )
        work = tmp_path / "work"
        work.mkdir()
        for command, expected in guide_commands(page):
            done = subprocess.run(
                ["bash", "-c", command], cwd=work, env=env,
                capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            assert done.returncode == expected, f"{command}\n{done.stdout}\n{done.stderr}"
            assert "Traceback" not in done.stderr, f"{command}\n{done.stderr}"
        if any(
            " upload " in c or c.startswith("reserver reserve") for c, _ in guide_commands(page)
        ):
            # The guide's uploads really reached the index.
            assert list((tmp_path / "packages").glob("*.tar.gz"))
