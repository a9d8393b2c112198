"""Crash safety: SIGKILL at random points never loses or doubles a name; SIGINT stops cleanly."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reserver.index.local import LocalIndex
from reserver.placeholder.build import sha256_of
from reserver.publish.ledger import Ledger, LedgerState

from ..conftest import SEED
from .conftest import make_batch, twine_env
from .faultserver import FaultServer

KILLS = 22
DRIVER = Path(__file__).with_name("batch_driver.py")


def upload_command(plan: Path, dist: Path, url: str, ledger: Path, *extra: str) -> list[str]:
    # A process of its own: the test kills it (SIGKILL) or interrupts it (SIGINT).
    return [sys.executable, "-m", "reserver", "upload", str(plan), "--dist", str(dist),
            "--repository-url", url, "--ledger", str(ledger), "--json", *extra]  # fmt: skip


def environment(index: LocalIndex | FaultServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    return {**env, **twine_env(index), "TWINE_CONFIG_FILE": os.devnull}


def kill_at_a_random_point(command: list[str], env: dict[str, str], rng: random.Random) -> bool:
    """Start a run and SIGKILL it: during start-up, or after a random number of its events
    plus a random few milliseconds (so kills land between, and inside, ledger transitions and
    uploads). True when the kill hit a running batch, False when the run had finished."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=env)  # fmt: skip
    assert process.stdout is not None
    if rng.random() < 0.2:
        # During start-up means before the first event, however fast the machine: a plain
        # sleep let a fast run upload most of the batch first, so later kills found it done.
        select.select([process.stdout], [], [], rng.uniform(0.0, 0.9))
    else:
        wanted = rng.randint(1, 14)
        while wanted:
            line = process.stdout.readline()
            if not line:
                break
            if b'"skip"' not in line:  # names done by earlier runs are not a random point
                wanted -= 1
        time.sleep(rng.uniform(0.0, 0.012))
    alive = process.poll() is None
    process.kill()
    process.wait()
    process.stdout.close()
    return alive


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_reserves_each_name_exactly_once(
    fresh_index: LocalIndex, tmp_path: Path, rng: random.Random
) -> None:
    seed = f"RESERVER_TEST_SEED={SEED}"  # chose where the kills land; timing adds its own
    batch = make_batch(tmp_path, 160, "crash")
    ledger = tmp_path / "ledger.sqlite"
    command = [sys.executable, str(DRIVER), str(batch.plan_file), str(batch.dist),
               fresh_index.url, str(ledger)]  # fmt: skip
    env = environment(fresh_index)
    kills = sum(kill_at_a_random_point(command, env, rng) for _ in range(KILLS))
    assert kills >= 20, f"only {kills} kills hit a running batch ({seed})"
    with Ledger(ledger, create=False) as opened:
        before_resume = opened.summary(fresh_index.url).counts
    assert before_resume["reserved"] < 160, "the batch finished before the kills ended"

    # The resume is the real command a person would run again.
    resume = upload_command(batch.plan_file, batch.dist, fresh_index.url, ledger)
    final = subprocess.run(resume, capture_output=True, text=True, env=env, check=False)
    assert final.returncode == 0, final.stderr

    expected = {p.name: sha256_of(p) for p in batch.dist.iterdir()}
    stored = {p.name: sha256_of(p) for p in fresh_index.packages.iterdir()}
    assert stored == expected, seed  # each name once, our bytes, nothing else
    with Ledger(ledger, create=False) as opened:
        rows = opened.rows(fresh_index.url)
        history = opened.events(fresh_index.url)
    assert {r.filename: r.sha256 for r in rows} == stored
    assert {r.state for r in rows} == {LedgerState.RESERVED}
    # The hard case happened: a kill after the file reached the index, before the ledger knew;
    # the next run found it on the index instead of sending it again.
    assert [e for e in history if e.state is LedgerState.RESERVED and e.status is None]
    # A second upload of a file would have met "already exists" (400/409) at pypiserver.
    assert not [e for e in history if e.status in (400, 409)], seed
    server_log = (Path(str(fresh_index._log))).read_text(errors="replace")
    assert "already exists" not in server_log, seed


@pytest.mark.slow
def test_sigint_finishes_the_current_upload_records_it_and_prints_a_resume_hint(
    tmp_path: Path,
) -> None:
    batch = make_batch(tmp_path, 5, "intr")
    ledger = tmp_path / "ledger.sqlite"
    with FaultServer(script={"intr-name002": ["slow:1.5"]}) as server:
        command = upload_command(batch.plan_file, batch.dist, server.url, ledger,
                                 "--simple-url", server.simple_url)  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=environment(server))  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            if '"uploading"' in line and "intr-name002" in line:
                break
        time.sleep(0.2)  # the upload is on the wire now, and the registry is slow
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
        assert process.returncode == 130, err
        assert "resume with: reserver upload" in err and "Traceback" not in err
        with Ledger(ledger, create=False) as opened:
            states = {r.name: r.state for r in opened.rows(server.url)}
        assert states == {
            "intr-name000": LedgerState.RESERVED,
            "intr-name001": LedgerState.RESERVED,
            "intr-name002": LedgerState.RESERVED,  # finished and recorded, not abandoned
            "intr-name003": LedgerState.BUILT,
            "intr-name004": LedgerState.BUILT,
        }
        resumed = subprocess.run(command, capture_output=True, text=True,
                                 env=environment(server), check=False)  # fmt: skip
        assert resumed.returncode == 0, resumed.stderr
        assert sorted(e.name for e in server.log) == [f"intr-name{i:03d}" for i in range(5)]
