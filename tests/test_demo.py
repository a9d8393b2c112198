"""``reserver demo``: the whole loop, and --serve keeping the dashboard up until Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from reserver.demo.loop import run_demo

pytestmark = pytest.mark.slow


def test_the_demo_counts_exactly_the_installs_it_made(tmp_path: Path) -> None:
    lines: list[str] = []
    result = run_demo(tmp_path / "demo", lines.append)
    assert result.uploaded == len(result.plan.buildable())
    assert [a.installer for a in result.attempts] == ["pip", "uv"]
    assert all(a.failed_helpfully for a in result.attempts)
    assert result.summary["total"] == 2
    assert result.summary["by_installer"] == {"pip": 1, "uv-pip": 1}
    assert result.summary["by_name"] == {"reqeusts": 1, "sklearn": 1}
    assert any("Stopped the stats service and the local index" in line for line in lines)
    # Everything it started is stopped: the dashboard no longer answers.
    with pytest.raises(httpx.HTTPError):
        httpx.get(result.dashboard_url, timeout=2)


def test_serve_keeps_the_dashboard_up_until_ctrl_c(tmp_path: Path) -> None:
    # A process of its own: --serve ends only on a signal (SIGINT, as Ctrl-C sends).
    process = subprocess.Popen(
        [sys.executable, "-m", "reserver", "demo", "--serve", "--workdir", str(tmp_path / "d")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = None
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    while url is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Serving the dashboard at "):
            url = line.removeprefix("Serving the dashboard at ").split(" ")[0].rstrip(".")
    assert url is not None, process.stderr.read() if process.stderr else ""
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Stopped the stats service and the local index" in out
    with pytest.raises(httpx.HTTPError):
        httpx.get(url, timeout=2)


def test_the_demo_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    from reserver.demo.loop import DEMO_MARK, prepare_workdir
    from reserver.errors import ReserverError

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.tex").write_text("years of work")
    with pytest.raises(ReserverError, match="not made by 'reserver demo'"):
        prepare_workdir(theirs)
    assert (theirs / "thesis.tex").read_text() == "years of work"

    ours = tmp_path / "ours"
    prepare_workdir(ours)  # new: made and marked
    (ours / "plan.json").write_text("{}")
    prepare_workdir(ours)  # an earlier demo's: cleared
    assert sorted(p.name for p in ours.iterdir()) == [DEMO_MARK]

    empty = tmp_path / "empty"
    empty.mkdir()
    prepare_workdir(empty)
    assert (empty / DEMO_MARK).is_file()


def test_a_quiet_demo_prints_its_verdict_alone(tmp_path: Path) -> None:
    # A process of its own: the demo's children (venv, the installers) write to the file
    # descriptors they inherit, which only a process's own pipes capture.
    done = subprocess.run([sys.executable, "-m", "reserver", "demo", "-q",
                           "--workdir", str(tmp_path / "d")],
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Every install failed on purpose and told the user what they meant.\n"
    assert done.stderr == ""
