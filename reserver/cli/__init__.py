"""The ``reserver`` command line: a thin layer that parses options and formats results.

Each command lives in its own module and registers itself on ``app``; this module only
wires them together and turns user errors into one line and exit status 1.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from ..errors import ReserverError
from ._app import app, console_err

# Every module named *_cmd in this package registers its commands on import, so adding a
# command is one new file and no edit here. It also means every command module is imported on
# every invocation (even for --help): command modules import their heavy machinery (builder,
# publish stack, demo, guard, evaluate, rich.progress, ...) inside the command function, and
# annotations-only names under TYPE_CHECKING, so that `reserver plan` does not pay for them.
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd")):
    importlib.import_module(f"{__name__}.{_module}")


def main() -> None:
    """Entry point. Click reports usage errors itself (exit 2); a ReserverError is the user's
    input being wrong in a way only reserver can tell: one line and exit status 1."""
    try:
        app()
    except ReserverError as exc:
        console_err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        console_err.print("interrupted", highlight=False)
        sys.exit(130)
