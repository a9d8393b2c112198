"""Write reserver/data/stdlib_projects.txt: the standard-library names that are PyPI projects.

PyPI refuses a new project named like a standard-library module, so the projects that bear
such names (``asyncio``, ``typing``, ``importlib-metadata``) are the ones registered before
that rule, and the list can only shrink. Every other module name (``telnetlib``, ``socket``)
is no project: a look-alike of it (``te1netlib``) is not "too similar to an existing
project", and anyone may register it. ``plan``/``generate`` read this list offline, where no
listing says which is which.

    .venv/bin/python benchmarks/refresh_stdlib_projects.py [pypi-names.txt.gz]

Default input: benchmarks/data/pypi-names.txt.gz (the registry's listing, November 2026).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from reserver.names.normalize import canonicalize
from reserver.names.stdlib import prohibited_stdlib_names

HERE = Path(__file__).parent
SOURCE = HERE / "data" / "pypi-names.txt.gz"
TARGET = HERE.parent / "reserver" / "data" / "stdlib_projects.txt"


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    with gzip.open(source, "rt", encoding="utf-8") as listing:
        names = {canonicalize(line.strip()) for line in listing if line.strip()}
    both = sorted(names & prohibited_stdlib_names())
    header = (
        f"# The {len(both)} names PyPI refuses as standard library (stdlib-list, all versions "
        "and prefixes)\n# that are PyPI projects all the same, registered before the rule. "
        f"From the registry's listing\n# ({source.name}, November 2026: {len(names):,} "
        "names), one canonical name per line.\n# Copied from the listing, not written by "
        "hand: regenerate with benchmarks/refresh_stdlib_projects.py.\n"
    )
    TARGET.write_text(header + "".join(f"{name}\n" for name in both), encoding="utf-8")
    print(f"wrote {TARGET}: {len(both)} names from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
