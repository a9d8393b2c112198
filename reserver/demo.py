"""The whole loop on an embedded default: plan, build, upload to a local index, then install.

Everything runs on loopback, with nothing fetched from the internet, and everything the demo
starts it stops again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .builder import build_plan
from .index.local import LocalIndex
from .plan import Plan, make_plan, parse_name_option, save_plan
from .publish.simple import upload_plan
from .publish.twine_upload import Credentials

DEMO_NAMES = ("reqeusts=requests", "pwd", "telnetlib", "sklearn=scikit-learn")
#: The names the demo tries to install, and with which installer.
DEMO_INSTALLS = (("pip", "reqeusts"), ("uv", "sklearn"))


@dataclass(frozen=True)
class InstallAttempt:
    """What a user saw when they installed a reserved name."""

    installer: str
    name: str
    exit_code: int
    output: str


@dataclass
class DemoResult:
    """What the demo did, for the CLI to print and for tests to check."""

    plan: Plan
    uploaded: list[str] = field(default_factory=list)
    attempts: list[InstallAttempt] = field(default_factory=list)


def clean_installer_env() -> dict[str, str]:
    """An environment in which pip and uv see only the index they are given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["UV_NO_CONFIG"] = "1"
    return env


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    return found or "uv"


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


def run_demo(workdir: Path, report: Callable[[str], None] = print) -> DemoResult:
    """Run the demo in ``workdir`` (made afresh), reporting each step in plain words."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    plan = make_plan([parse_name_option(n) for n in DEMO_NAMES], options={"demo": True})
    save_plan(plan, workdir / "plan.json")
    report(f"Planned {len(plan.entries)} names: {', '.join(e.name for e in plan.entries)}")
    built = build_plan(plan, workdir / "dist")
    report(f"Built {len(built)} placeholder sdists into {workdir / 'dist'}")
    result = DemoResult(plan)
    with LocalIndex(workdir / "index") as index:
        report(f"Started a local package index (pypiserver) at {index.simple_url}")
        credentials = Credentials(
            repository_url=index.url, username=index.username, password=index.password
        )
        uploads = upload_plan(plan, workdir / "dist", credentials)
        result.uploaded = [u.name for u in uploads]
        report(f"Uploaded {len(uploads)} placeholders with twine")
        venv = workdir / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        for installer, name in DEMO_INSTALLS:
            attempt = try_install(installer, name, index.simple_url, venv)
            result.attempts.append(attempt)
            typed = "uv pip install" if installer == "uv" else "pip install"
            report(f"A user ran '{typed} {name}'; it exited {attempt.exit_code} and saw:")
            report(attempt.output)
        report("Stopped the local index.")
    return result
