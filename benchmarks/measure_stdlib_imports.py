"""Measure how widely each standard-library module is used: the share of real projects that
import it, read from a folder of their wheels. Writes reserver/data/stdlib_imports.csv.

Why: `plan --stdlib` under a total budget weighs each module by how often its name is asked
of pip. That is measured directly only for a few modules (a PyPI project of the same name, or
the drop-in of a removed module, in the popularity data). For the rest (urllib, xml, pwd,
nis, idlelib, ...) the next best evidence is how many people write `import urllib`: a module
few projects import is a name few people would ever type after `pip install`.

A project counts a module once when any .py file in its newest wheel has a line starting
`import MODULE` or `from MODULE` (top-level name). One wheel per project.

    python benchmarks/measure_stdlib_imports.py WHEEL_FOLDER [--source TEXT]
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from reserver.names.stdlib import VERSIONS, modules_in

OUTPUT = Path(__file__).resolve().parent.parent / "reserver" / "data" / "stdlib_imports.csv"
#: Files larger than this are generated tables, not code anyone wrote imports in.
MAX_FILE_BYTES = 2_000_000
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*))",
    re.MULTILINE,
)


def top_level_stdlib() -> frozenset[str]:
    """Every top-level module name of Python 3 standard libraries, removed ones included."""
    return frozenset(
        m for v in VERSIONS if not v.startswith("2.") for m in modules_in(v) if "." not in m
    )


def imported_modules(text: str) -> set[str]:
    """The top-level module names ``text`` imports at the start of a line.

    >>> sorted(imported_modules("import os, sys\\nfrom xml.dom import minidom\\nx = 1"))
    ['os', 'sys', 'xml']
    """
    found: set[str] = set()
    for single, several in _IMPORT.findall(text):
        if single:
            found.add(single)
        else:
            found.update(part.strip() for part in several.split(","))
    return found


def newest_wheels(folder: Path) -> dict[str, Path]:
    """One wheel per project: the newest version in ``folder``."""
    best: dict[str, tuple[object, Path]] = {}
    for path in sorted(folder.glob("*.whl")):
        try:
            name, version, _, _ = parse_wheel_filename(path.name)
        except InvalidWheelFilename:
            continue
        key = canonicalize_name(name)
        if key not in best or version > best[key][0]:  # type: ignore[operator]
            best[key] = (version, path)
    return {name: path for name, (_, path) in best.items()}


def count(folder: Path) -> tuple[Counter[str], int]:
    """Per standard-library module, how many projects' wheels import it; and the number of
    projects read."""
    stdlib = top_level_stdlib()
    counts: Counter[str] = Counter()
    wheels = newest_wheels(folder)
    for path in wheels.values():
        used: set[str] = set()
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".py") and info.file_size <= MAX_FILE_BYTES:
                    text = archive.read(info).decode("utf-8", "replace")
                    used |= imported_modules(text) & stdlib
        counts.update(used)
    return counts, len(wheels)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of wheels, one or more per project")
    parser.add_argument("--source", default="", help="what the wheels are, for the file's header")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    counts, projects = count(args.folder)
    if projects == 0:
        print(f"error: {args.folder}: no wheels", file=sys.stderr)
        return 2
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        f"# How many of {projects} projects import each standard-library module (top-level "
        "name; modules no project imports are left out).",
        f"# Measured {when} by benchmarks/measure_stdlib_imports.py from the newest wheel of "
        f"each project: {args.source or args.folder.name}.",
        "# A project counts a module once when any .py file in its wheel has a line starting "
        "'import MODULE' or 'from MODULE'.",
        f"# projects={projects}",
        "module,projects",
        *(f"{m},{n}" for m, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))),
    ]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(counts)} modules, {projects} projects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
