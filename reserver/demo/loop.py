"""The whole loop on an embedded default, on loopback and offline.

A local index (pypiserver) and the stats service (SQLite) start on free ports; a small batch
is planned (standard-library names and typos of a few popular packages), built with the
install ping pointed at the stats service, and uploaded with the batch uploader; real pip and
uv then install two reserved names as a user would, and the dashboard's numbers for those
attempts are read back. Everything the demo starts, it stops.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import ReserverError
from ..index.local import LocalIndex, free_port, stop_process, wait_for_http
from ..names.normalize import canonicalize
from ..placeholder import ci
from ..placeholder.build import build_plan
from ..plan.jsonfile import save_plan
from ..plan.model import Plan, PlanEntry, make_plan, parse_name_option
from ..publish.batch import upload_batch
from ..publish.twine_upload import Credentials
from ..selection.entries import to_plan_entries
from ..selection.model import SelectionOptions, SelectionRequest
from ..selection.run import run_selection

#: Explicit names: standard-library modules, one removed module, and an import name.
DEMO_NAMES = ("pwd", "telnetlib", "sklearn=scikit-learn")
#: Popular packages whose likeliest typos the engine picks, offline.
DEMO_TARGETS = ("requests", "numpy")
DEMO_BUDGET = 3
#: The names the demo installs, and with which installer: a typo and an import name.
DEMO_INSTALLS = (("pip", "reqeusts"), ("uv", "sklearn"))
#: Variables that mark automation; the demo plays a person at a terminal, so the
#: installers it runs do not inherit them (a placeholder does not ping from CI).


@dataclass(frozen=True)
class InstallAttempt:
    """What a user saw when they installed a reserved name."""

    installer: str
    name: str
    exit_code: int
    output: str

    @property
    def failed_helpfully(self) -> bool:
        return self.exit_code != 0 and "is a placeholder" in self.output


@dataclass
class DemoResult:
    """What the demo did, for the CLI to print and for tests to check."""

    plan: Plan
    uploaded: int = 0
    attempts: list[InstallAttempt] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    dashboard_url: str = ""


def clean_installer_env() -> dict[str, str]:
    """An environment in which pip and uv see only the index they are given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_")) and k not in ci.SKIP
    }
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["UV_NO_CONFIG"] = "1"
    return env


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        raise ReserverError("uv is not installed; reinstall reserver")
    return found


def try_install(installer: str, name: str, index_url: str, venv: Path) -> InstallAttempt:
    """Install ``name`` from ``index_url`` into ``venv`` as a user would, and capture the output."""
    python = str(venv / "bin" / "python")
    if installer == "uv":
        command = [_uv(), "pip", "install", "--python", python, "--index-url", index_url, name]
    else:
        command = [sys.executable, "-m", "pip", "--python", python, "install",
                   "--index-url", index_url, name]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, env=clean_installer_env(), check=False
    )
    return InstallAttempt(installer, name, done.returncode, done.stdout + done.stderr)


def demo_plan() -> Plan:
    """Explicit names plus the engine's likeliest typos of a few popular packages, offline."""
    explicit = [parse_name_option(n) for n in DEMO_NAMES]
    request = SelectionRequest(
        targets=DEMO_TARGETS, offline=True, cache_dir=None,
        options=SelectionOptions(budget=DEMO_BUDGET),
    )  # fmt: skip
    engine = to_plan_entries(run_selection(request), include_skipped=False)
    given = {canonicalize(e.name) for e in explicit}
    entries: list[PlanEntry] = [
        *explicit,
        *(e for e in engine if canonicalize(e.name) not in given),
    ]
    if not any(e.name == "reqeusts" for e in entries):
        entries.append(parse_name_option("reqeusts=requests"))
    return make_plan(entries, options={"demo": True, "targets": list(DEMO_TARGETS)})


class StatsService:
    """``reserver stats serve`` on SQLite and a free loopback port, as a child process."""

    def __init__(self, database: Path) -> None:
        self.port = free_port()
        self.token = secrets.token_urlsafe(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self._database = database
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> StatsService:
        command = [
            sys.executable, "-m", "reserver", "stats", "serve",
            "--db", f"sqlite:///{self._database}", "--port", str(self.port),
            "--rate-limit", "off",
        ]  # fmt: skip
        env = {**os.environ, "RESERVER_STATS_TOKEN": self.token}
        self._process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for_http(f"{self.url}/healthz", process=self._process)
        except ReserverError:
            self.__exit__()
            raise
        return self

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.url}/api/summary", timeout=10).json()
        return data

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            stop_process(self._process)


#: Left in every folder the demo makes: a rerun may clear a folder that holds it, no other.
DEMO_MARK = ".reserver-demo"


def prepare_workdir(workdir: Path) -> None:
    """Make ``workdir`` empty for a demo run: a new or empty folder, or one an earlier demo
    made (its mark says so). Anything else is the user's, and is never deleted."""
    if workdir.exists() and not workdir.is_dir():
        raise ReserverError(f"demo folder {workdir} is a file; give a new or empty folder")
    if workdir.is_dir() and any(workdir.iterdir()):
        if not (workdir / DEMO_MARK).is_file():
            raise ReserverError(
                f"demo folder {workdir} is not empty and was not made by 'reserver demo'; "
                "give a new or empty folder with --workdir (nothing was deleted)"
            )
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / DEMO_MARK).write_text("made by 'reserver demo'; a rerun clears this folder\n")


def run_demo(
    workdir: Path,
    report: Callable[[str], None] = print,
    serve: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the demo in ``workdir`` (made afresh, see :func:`prepare_workdir`), reporting each
    step in plain words.

    ``serve``, when given, is called with the dashboard URL before anything is stopped
    (the CLI waits there for Ctrl-C).
    """
    from ..stats.client import register_plan

    prepare_workdir(workdir)
    workdir = workdir.resolve()
    plan = demo_plan()
    save_plan(plan, workdir / "plan.json")
    report(f"1. Planned {len(plan.entries)} names to hold, offline: "
           f"{', '.join(e.name for e in plan.entries)}")  # fmt: skip
    result = DemoResult(plan)
    with StatsService(workdir / "stats.sqlite3") as stats, LocalIndex(workdir / "index") as index:
        report(f"2. Started a local package index (pypiserver) at {index.simple_url}")
        report(f"   and the stats service (SQLite) at {stats.url}/")
        known = register_plan(plan, stats.url, stats.token)
        report(f"3. Registered {known} names with the stats service, so it counts their pings")
        built = build_plan(plan, workdir / "dist", stats_url=stats.url)
        report(f"4. Built {len(built)} placeholder sdists, their ping pointed at the stats service")
        credentials = Credentials(
            repository_url=index.url, username=index.username, password=index.password
        )
        batch = upload_batch(
            plan, workdir / "dist", credentials, ledger_path=workdir / "ledger.sqlite",
            rate=None, handle_signals=False,
        )  # fmt: skip
        result.uploaded = batch.uploaded
        report(f"5. Uploaded {batch.uploaded} placeholders with twine, recorded in a ledger")
        venv = workdir / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        for step, (installer, name) in enumerate(DEMO_INSTALLS, start=6):
            attempt = try_install(installer, name, index.simple_url, venv)
            result.attempts.append(attempt)
            typed = "uv pip install" if installer == "uv" else "pip install"
            report(f"{step}. A user typed '{typed} {name}'. It exited {attempt.exit_code}; "
                   "they saw:")  # fmt: skip
            report(_indent(attempt.output))
        result.summary = _settled_summary(stats, len(DEMO_INSTALLS))
        result.dashboard_url = f"{stats.url}/"
        report(f"{len(DEMO_INSTALLS) + 6}. {describe_summary(result.summary)}")
        report(f"   Dashboard: {result.dashboard_url}")
        if serve is not None:
            serve(result.dashboard_url)
    report("Stopped the stats service and the local index.")
    return result


def _settled_summary(stats: StatsService, expected: int) -> dict[str, Any]:
    # A ping is acknowledged only once stored, so this is a formality; give it a moment anyway.
    deadline = time.monotonic() + 5
    summary = stats.summary()
    while summary.get("total", 0) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
        summary = stats.summary()
    return summary


def describe_summary(summary: dict[str, Any]) -> str:
    """One line of the dashboard's numbers."""
    by_name = ", ".join(f"{k}: {v}" for k, v in summary.get("by_name", {}).items())
    by_installer = ", ".join(f"{k}: {v}" for k, v in summary.get("by_installer", {}).items())
    return (
        f"The dashboard counts {summary.get('total', 0)} blocked installs "
        f"(by name: {by_name or 'none'}; by installer: {by_installer or 'none'})."
    )


def _indent(text: str) -> str:
    return "\n".join(f"   | {line}" for line in text.rstrip().splitlines())
