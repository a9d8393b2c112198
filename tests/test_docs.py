"""Every command shown in the user guide (docs/*.md) runs, against real local services."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from reserver.index.local import LocalIndex, free_port, wait_for_http

from .conftest import installer_env

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXPECTED_EXIT = re.compile(r"\s+#\s*exits (\d+)\s*$")
PORT_VARIABLE = re.compile(r'--port "?\$(\w+)"?')
PG = "postgresql://postgres@127.0.0.1:5432/test"

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
    assert len(pages) >= 4 and all(guide_commands(page) for page in pages)


@pytest.fixture
def db_schema() -> Iterator[str]:
    """A PostgreSQL schema of the test's own in the real database, dropped afterwards."""
    schema = f"reserver_docs_{secrets.token_hex(4)}"
    yield schema
    with psycopg.connect(PG, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.stem)
def test_the_commands_of_a_guide_page_run(page: Path, tmp_path: Path, db_schema: str) -> None:
    # A saved listing stands in for PyPI's: the guide reads "$INDEX", here a file.
    listing = tmp_path / "listing.txt"
    listing.write_text("requests\nnumpy\nacme-widgets\nurllib3\nidna\ncertifi\n")
    bin_dir = str(Path(sys.executable).parent)
    background: list[subprocess.Popen[bytes]] = []
    with LocalIndex(tmp_path / "packages") as index:
        env = installer_env(
            INDEX=str(listing),
            REPOSITORY_URL=index.url,
            SIMPLE_URL=index.simple_url,
            TWINE_USERNAME=index.username,
            TWINE_PASSWORD=index.password,
            DATABASE_URL=PG.replace("postgresql://", "postgresql+psycopg://"),
            DB_SCHEMA=db_schema,
            PORT_A=str(free_port()),
            PORT_B=str(free_port()),
            RESERVER_STATS_TOKEN=secrets.token_urlsafe(16),
            PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""),
        )
        work = tmp_path / "work"
        work.mkdir()
        # The volunteer's own holder settings, as the guide asks them to set (PyPI-bound
        # plans with the example holder are refused). ".test" is reserved for testing.
        (work / "reserver.toml").write_text(
            'holder = "Docs Test Volunteers"\ncontact = "security@volunteers.test"\n'
            'homepage = "https://volunteers.test/reserver"\n'
        )
        try:
            for command, expected in guide_commands(page):
                if command.endswith("&"):
                    background.append(start_service(command, work, env))
                    continue
                done = subprocess.run(
                    ["bash", "-c", command], cwd=work, env=env,
                    capture_output=True, text=True, timeout=300, check=False,
                )  # fmt: skip
                assert done.returncode == expected, f"{command}\n{done.stdout}\n{done.stderr}"
                assert "Traceback" not in done.stderr, f"{command}\n{done.stderr}"
        finally:
            for process in background:
                process.terminate()
                process.wait(timeout=20)
        commands = [c for c, _ in guide_commands(page)]
        if any(" upload " in c or c.startswith("reserver reserve") for c in commands):
            # The guide's uploads really reached the index.
            assert list((tmp_path / "packages").glob("*.tar.gz"))


def start_service(command: str, work: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a ``... &`` line of the guide and wait until it answers on its --port."""
    match = PORT_VARIABLE.search(command)
    assert match, f"a background command in the guide needs --port: {command}"
    process = subprocess.Popen(
        ["bash", "-c", "exec " + command.rstrip("& ")], cwd=work, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_http(f"http://127.0.0.1:{env[match.group(1)]}/healthz", process=process)  # type: ignore[arg-type]
    return process
