"""Peak memory and time of ``reserver check`` on hostile dependency files (issue #16).

A 5 MB single-line requirements file once grew ``reserver check -r`` to 23.5 GB (matching
cost memory quadratic in the "name"); ``-r /dev/zero`` never ended. Each row runs the real
command line in a child process, as CI would, and reads that process's own peak resident
set size from ``wait4``. The baseline is the same command on a one-line file. Also measured:
files just inside the limits (the most work a file may ask for). The issue's bound: exit 2
within 200 MB for the 5 MB file; the other rows are held to the same 200 MB.

    .venv/bin/python benchmarks/bench_check_limits.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The issue's bound on peak memory, in bytes (200 MB).
BOUND_BYTES = 200 * 1000 * 1000
MB = 1000 * 1000


@dataclass(frozen=True)
class Case:
    label: str
    write: Callable[[Path], Path]
    """Writes the input into a folder and returns the path to give ``-r``."""
    expected_exit: int


@dataclass(frozen=True)
class Run:
    exit_status: int
    peak_bytes: int
    seconds: float
    first_error_line: str


def _file(name: str, text: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_text(text)
        return path

    return write


def _in_folder(folder_name: str, name: str, text: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        (folder / folder_name).mkdir()
        return _file(name, text)(folder / folder_name)

    return write


CASES = [
    Case("baseline: one-line requirements.txt (`requests`)", _file("base.txt", "requests\n"), 0),
    Case("5 MB single-line requirements file (the issue's case)",
         _file("r.txt", "x" * 5_000_000 + "\n"), 2),
    Case("5 MB single-line requirement string in pyproject.toml",
         _in_folder("pp", "pyproject.toml", f'[project]\ndependencies = ["{"x" * 5_000_000}"]\n'),
         2),
    Case("`-r /dev/zero`", lambda folder: Path("/dev/zero"), 2),
    Case("99,999 distinct names, one a line (names limit: 100,000)",
         _file("many.txt", "".join(f"n{i}\n" for i in range(99_999))), 0),
    Case("pyproject.toml of 996,000 short array items (TOML limit: 1,000,000)",
         _in_folder("arr", "pyproject.toml", "".join(
             f"x{j} = [" + ",".join(['"ab"'] * 12_000) + "]\n" for j in range(83))), 0),
]  # fmt: skip


def measure(path: Path) -> Run:
    """Run ``reserver check -r path`` in a child process: exit status, its own peak RSS."""
    command = [sys.executable, "-m", "reserver", "check", "-r", str(path)]
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    error = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    took = time.monotonic() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    first = error.splitlines()[0] if error else ""
    return Run(child.returncode, usage.ru_maxrss * 1024, took, first)


def main() -> int:
    rows: list[tuple[Case, Run]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for case in CASES:
            rows.append((case, measure(case.write(folder))))
    baseline = rows[0][1].peak_bytes
    failed = False
    print("| input | exit | peak RSS | vs baseline | wall | bound: exit, <= 200 MB |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for case, run in rows:
        ok = run.exit_status == case.expected_exit and run.peak_bytes <= BOUND_BYTES
        failed |= not ok
        print(f"| {case.label} | {run.exit_status} | {run.peak_bytes / MB:.0f} MB "
              f"| {run.peak_bytes / baseline:.2f}x | {run.seconds:.2f} s "
              f"| exit {case.expected_exit}: {'yes' if ok else 'NO'} |")  # fmt: skip
    print()
    for case, run in rows:
        if run.first_error_line:
            print(f"{case.label}: {run.first_error_line[:160]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
