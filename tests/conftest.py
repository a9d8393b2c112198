"""Shared fixtures: the ``reserver`` command run in-process, a real pypiserver on loopback,
and installer environments kept clean."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import random
import shutil
import subprocess
import sys
import termios
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from hypothesis import settings

from reserver.index.local import LocalIndex

BIN = Path(sys.executable).parent

# Hypothesis fails an example that runs past 200 ms: a wall-clock bound that a loaded machine
# misses now and then. Examples are judged by what they return, not by how fast.
settings.register_profile("reserver", deadline=None)
settings.load_profile("reserver")

#: The seed of every random choice the tests make (through ``rng`` and ``seeded``): fixed, so
#: every run makes the same ones; RESERVER_TEST_SEED sets another, and a run that fails says
#: which it used. (Hypothesis keeps and prints its own.)
SEED = os.environ.get("RESERVER_TEST_SEED") or "0"


def seeded(label: str) -> random.Random:
    """A generator for one user (a test, a fixture), from SEED and ``label``: it makes the
    same choices whatever ran before it, on whichever xdist worker."""
    return random.Random(f"{SEED}:{label}")


def _stamp(path: Path) -> tuple[int, int] | None:
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


@pytest.fixture(scope="session", autouse=True)
def _no_test_writes_the_default_ledger() -> Iterator[None]:
    """A test that uploads without ``--ledger`` writes the repository's own
    ``generated/ledger.sqlite``: a volunteer's real record, and one lock shared by every
    pytest-xdist worker (two such tests at once failed with "in use by another batch")."""
    from reserver.publish.defaults import DEFAULT_LEDGER

    ledger = Path(__file__).resolve().parents[1] / DEFAULT_LEDGER
    before = _stamp(ledger)
    yield
    assert _stamp(ledger) == before, f"a test wrote {DEFAULT_LEDGER}: pass --ledger"


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """This test's random choices, replayed by its run's RESERVER_TEST_SEED."""
    return seeded(request.node.nodeid)


def pytest_report_header() -> str:
    return f"random choices: RESERVER_TEST_SEED={SEED}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if terminalreporter.stats.get("failed") or terminalreporter.stats.get("error"):
        terminalreporter.write_line(
            f"random choices were made with RESERVER_TEST_SEED={SEED}: set it to replay them"
        )


@dataclass(frozen=True)
class CliResult:
    """How a run of ``reserver`` ended, named as :class:`subprocess.CompletedProcess` names it,
    so that a test reads the same whether the command ran in-process or in a child."""

    returncode: int
    stdout: str
    stderr: str


class Cli(Protocol):
    """The ``cli`` fixture: ``cli("plan", "-n", "pwd", "-o", "plan.json")``."""

    def __call__(
        self, *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> CliResult: ...


def _run_cli(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> CliResult:
    from reserver.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in (env or {}).items():
            patch.setenv(key, value)
        if cwd is not None:
            patch.chdir(cwd)
        patch.setattr(sys, "argv", ["reserver", *args])
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def cli() -> Cli:
    """Run ``reserver ARGS...`` in this process through its entry point (``main``: its
    one-line errors and exit statuses included), with ``env`` set and in ``cwd`` for that run
    only; standard output and standard error come back apart. A child process per run would
    spend a second importing the command line each time: tests start one only where a real
    process matters (a signal, the console script, a terminal, an environment read at
    import), and say so there."""
    return _run_cli


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


def _own_terminal() -> None:
    # A session of its own with the pty (its stdin) as controlling terminal, as in a real
    # shell, so that /dev/tty is that pty.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def on_a_terminal(args: list[str], **kwargs: Any) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``args`` on a new pty as its controlling terminal; the process and the pty's
    other end, which the caller reads, writes and closes."""
    primary, secondary = os.openpty()
    process = subprocess.Popen(args, stdin=secondary, stdout=secondary, stderr=secondary,
                               close_fds=True, preexec_fn=_own_terminal, **kwargs)  # fmt: skip
    os.close(secondary)
    return process, primary


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


NAMES = ["reqeusts=requests", "pwd", "telnetlib", "sklearn=scikit-learn"]


@dataclass(frozen=True)
class Published:
    index: LocalIndex
    dist: Path


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=180, **kwargs)  # type: ignore[call-overload]


@contextlib.contextmanager
def twine_settings(**given: str) -> Iterator[None]:
    """For the runs inside: the TWINE_* settings ``given`` and none of the machine's."""
    with pytest.MonkeyPatch.context() as patch:
        for key in os.environ:
            if key.startswith("TWINE_"):
                patch.delenv(key)
        for key, value in given.items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="session")
def published(
    cli: Cli, local_index: LocalIndex, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    """The README's flow through the real CLI: plan, build, upload."""
    work = tmp_path_factory.mktemp("publish")
    plan_args = [a for n in NAMES for a in ("--name", n)]
    done = cli("plan", *plan_args, "--offline", "-o", str(work / "plan.json"))
    assert done.returncode == 0, done.stderr
    done = cli("build", str(work / "plan.json"), "--out", str(work / "dist"))
    assert done.returncode == 0, done.stderr
    with twine_settings(TWINE_USERNAME=local_index.username, TWINE_PASSWORD=local_index.password):
        done = cli("upload", str(work / "plan.json"), "--dist", str(work / "dist"),
                   "--ledger", str(work / "ledger.sqlite"),
                   "--repository-url", local_index.url)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return Published(local_index, work / "dist")


def assert_failed_helpfully(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "is a placeholder: installation stopped on purpose" in output, output
    for text in expected:
        assert text in output, output
    assert "Traceback" not in output, output
