"""Run every benchmark in this folder and write one markdown table file (benchmarks/RESULTS.md).

Each ``bench_*.py`` prints its own table: the figure, the baseline measured side by side in
the same run, and the ratio. This collects them, in one run, under a heading per benchmark.
Usage: python benchmarks/run_all.py [--only build,upload] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    scripts = sorted(HERE.glob("bench_*.py"))
    sections = [
        "# reserver benchmarks",
        "",
        f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores. Medians; ratios are "
        "against the baseline measured in the same run. Rerun: `nox -s bench`.",
        "",
    ]
    failed = []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        start = time.monotonic()
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        took = time.monotonic() - start
        sections += [f"## {name}", "", f"`python benchmarks/{script.name}` ({took:.0f} s)", ""]
        if done.returncode != 0:
            failed.append(name)
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            sections += ["FAILED:", "", "```", *tail, "```", ""]
        else:
            sections += _tables(done.stdout)
        print(f"{name}: {'failed' if done.returncode else 'ok'} in {took:.0f} s", flush=True)
    if wanted and args.output.exists():
        sections = _merged(args.output.read_text(), sections)
    args.output.write_text("\n".join(sections) + "\n")
    print(f"wrote {args.output}")
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


def _tables(output: str) -> list[str]:
    """The markdown tables of a benchmark's output; a table after the first keeps the
    line just before it as its caption (which column means what changes between them)."""
    out: list[str] = []
    caption = ""
    previous = ""
    for line in output.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|") and out:
                out += ["", *([caption, ""] if caption else [])]
            out.append(line)
        elif line.strip():
            caption = line.strip()
        if line.strip():
            previous = line
    return [*out, ""]


def _merged(previous: str, fresh: list[str]) -> list[str]:
    """With --only: the previous file with the rerun sections replaced (the others kept,
    under their own run line), so one benchmark can be refreshed without rerunning all."""

    def split(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        head: list[str] = []
        parts: dict[str, list[str]] = {}
        current: list[str] = head
        for line in lines:
            if line.startswith("## "):
                current = parts.setdefault(line[3:].strip(), [])
            current.append(line)
        return head, parts

    old_head, old_parts = split(previous.splitlines())
    new_head, new_parts = split(fresh)
    merged = {**old_parts, **new_parts}
    note = [f"Sections {', '.join(sorted(new_parts))} rerun: " + new_head[2].removeprefix("Run ")]
    while old_head and not old_head[-1].strip():
        old_head.pop()

    def superseded(line: str) -> bool:
        # A partial rerun's line whose every section this run redoes says nothing any more.
        if not line.startswith("Sections ") or " rerun: " not in line:
            return False
        names = line.removeprefix("Sections ").split(" rerun: ")[0].split(", ")
        return set(names) <= set(new_parts)

    old_head = [line for line in old_head if not superseded(line)]
    # Earlier partial reruns keep their line: each section's date stays findable.
    head = [*old_head, *note, ""] if len(old_head) >= 3 else new_head
    body = [line for name in sorted(merged) for line in merged[name]]
    return [*head, *body]


if __name__ == "__main__":
    main()
