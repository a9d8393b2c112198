"""Write reserver/data/top-pypi-10000.txt, check's and watch's default corpus, from a "top PyPI
packages" JSON (hugovk/top-pypi-packages): the first 10,000 projects in order, each with its
download count (the harm of a squat of it, see reserver/names/targets.py).

    .venv/bin/python benchmarks/refresh_corpus.py [top-pypi-packages-30-days.min.json]

Default input: benchmarks/data/top-pypi-packages-30-days.min.json (the snapshot the quality
figures were measured with).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE / "data" / "top-pypi-packages-30-days.min.json"
TARGET = HERE.parent / "reserver" / "data" / "top-pypi-10000.txt"
SIZE = 10_000


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    data = json.loads(source.read_text(encoding="utf-8"))
    rows = [(row["project"], row["download_count"]) for row in data["rows"][:SIZE]]
    header = (
        f"# The {len(rows):,} most downloaded PyPI projects over 30 days, most downloaded first: "
        "the default\n# corpus of `reserver check` and `reserver watch`, and the harms of "
        "`--top` and `--stdlib`.\n"
        "# Source: hugovk/top-pypi-packages, top-pypi-packages-30-days.min.json, last_update\n"
        f"# {data.get('last_update')} (the same snapshot as benchmarks/data/): project name, "
        "tab, download_count.\n# Copied from the file, not written by hand: regenerate with "
        "benchmarks/refresh_corpus.py.\n"
    )
    lines = "".join(f"{name}\t{count}\n" for name, count in rows)
    TARGET.write_text(header + lines, encoding="utf-8")
    print(f"wrote {TARGET}: {len(rows)} projects from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
