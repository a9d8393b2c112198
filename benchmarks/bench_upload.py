"""Uploads per second against a local pypiserver: one reserver batch vs one twine per file.

Both sides upload the same placeholder sdists to a fresh, real pypiserver (authenticated
uploads, no pacing). reserver runs its whole batch machinery: validation, the index check,
two ledger transactions per name. The baseline is what a shell loop over ``twine upload``
does: one process per file. For context, the index's own ceiling: the same uploads as bare,
pre-encoded POSTs on one connection, with no bookkeeping at all (pypiserver lists its whole
directory on every upload, so that ceiling falls as the index grows).
Medians of several repetitions, side by side in one run.

    .venv/bin/python benchmarks/bench_upload.py [--names 200] [--twine-files 10] [--reps 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reserver.index.local import LocalIndex
from reserver.placeholder.build import build_plan
from reserver.plan.model import Plan, PlanEntry, make_plan
from reserver.publish.batch import upload_batch
from reserver.publish.twine_upload import Credentials, TwineSession


def make_batch(count: int, tag: str, out: Path) -> tuple[Plan, Path]:
    plan = make_plan([PlanEntry(f"bench-{tag}-name{i}", "requests", "typo") for i in range(count)])
    build_plan(plan, out)
    return plan, out


def reserver_rate(count: int, work: Path, rep: int) -> float:
    plan, dist = make_batch(count, f"r{rep}", work / f"dist-r{rep}")
    with LocalIndex(work / f"index-r{rep}") as index:
        credentials = Credentials(
            repository_url=index.url, username=index.username, password=index.password
        )
        start = time.perf_counter()
        result = upload_batch(
            plan, dist, credentials, ledger_path=work / f"ledger-{rep}.sqlite", rate=None
        )
        elapsed = time.perf_counter() - start
    if result.uploaded != count:
        raise SystemExit(f"reserver uploaded {result.uploaded} of {count}: {result}")
    return count / elapsed


def ceiling_rate(count: int, work: Path, rep: int) -> float:
    _, dist = make_batch(count, f"c{rep}", work / f"dist-c{rep}")
    with LocalIndex(work / f"index-c{rep}") as index:
        credentials = Credentials(
            repository_url=index.url, username=index.username, password=index.password
        )
        with TwineSession(credentials) as session:
            requests = [session.prepare(path) for path in sorted(dist.glob("*.tar.gz"))]
            start = time.perf_counter()
            for request in requests:
                if not session.upload(request).ok:
                    raise SystemExit("the bare upload loop was refused")
            elapsed = time.perf_counter() - start
    return count / elapsed


def twine_rate(count: int, work: Path, rep: int) -> float:
    _, dist = make_batch(count, f"t{rep}", work / f"dist-t{rep}")
    twine = str(Path(sys.executable).parent / "twine")
    with LocalIndex(work / f"index-t{rep}") as index:
        env = {**os.environ, "TWINE_USERNAME": index.username, "TWINE_PASSWORD": index.password}
        start = time.perf_counter()
        for path in sorted(dist.glob("*.tar.gz")):
            subprocess.run(
                [twine, "upload", "--non-interactive", "--disable-progress-bar",
                 "--repository-url", index.url, str(path)],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        elapsed = time.perf_counter() - start
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=200, help="names per reserver batch")
    parser.add_argument("--twine-files", type=int, default=10, help="files per twine run")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        work = Path(tmp)
        ours: list[float] = []
        theirs: list[float] = []
        bare: list[float] = []
        for rep in range(args.reps):  # interleaved, so a busy moment hits all three alike
            ours.append(reserver_rate(args.names, work, rep))
            theirs.append(twine_rate(args.twine_files, work, rep))
            bare.append(ceiling_rate(args.names, work, rep))
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"Uploads to a local pypiserver (no pacing), median of {args.reps} runs\n")
    print("| figure | reserver batch (one process) | twine upload per file | ratio |")
    print("| --- | --- | --- | --- |")
    print(
        f"| uploads per second | {ours_median:.1f} ({args.names} names) | "
        f"{theirs_median:.2f} ({args.twine_files} files) | {ours_median / theirs_median:.0f}x |"
    )
    print(
        f"| index ceiling: bare POST loop, no bookkeeping | {statistics.median(bare):.1f} "
        f"({args.names} uploads) | | reserver at "
        f"{ours_median / statistics.median(bare):.0%} of it |"
    )
    print("\nruns: reserver " + ", ".join(f"{r:.1f}" for r in ours)
          + "; twine " + ", ".join(f"{r:.2f}" for r in theirs)
          + "; bare " + ", ".join(f"{r:.1f}" for r in bare))  # fmt: skip


if __name__ == "__main__":
    main()
