"""The ``reserver`` command line: a thin layer that parses options and formats results.

Each command lives in its own module and registers itself on ``app``; this module only
wires them together and turns user errors into one line and exit status 2.
"""

from __future__ import annotations

import importlib
import os
import sys

from ..errors import ReserverError
from ._app import app, console_err, name_option_values
from ._options import expand_option_groups
from ._output import accept_verbosity, reset

# Every module named *_cmd in this package registers its commands on import, so adding a
# command is one new file and no edit here. It also means every command module is imported on
# every invocation (even for --help): command modules import their heavy machinery (builder,
# publish stack, demo, guard, evaluate, rich.progress, ...) inside the command function, and
# annotations-only names under TYPE_CHECKING, so that `reserver plan` does not pay for them.
# (Listed from the folder, not by pkgutil, whose import alone cost more than this loop.)
for _file in sorted(os.listdir(__path__[0])):
    if _file.endswith("_cmd.py"):
        importlib.import_module(f"{__name__}.{_file[:-3]}")
expand_option_groups(app)
name_option_values(app)
accept_verbosity(app)


#: The extra each command needs beyond the guard (the base install), for the one-line error a
#: command gives when it is missing (pyproject.toml's optional dependencies).
EXTRA_OF_COMMAND = {
    "build": "reserve", "upload": "reserve", "reserve": "reserve", "status": "reserve",
    "stats": "stats", "demo": "demo",
}  # fmt: skip


def missing_extra(exc: ModuleNotFoundError, argv: list[str]) -> str | None:
    """The one-line error for a command run without its extra, or None when the missing
    module is not one an extra provides (a real bug: let it show).

    >>> print(missing_extra(ModuleNotFoundError("No module", name="uvicorn"), ["stats", "serve"]))
    reserver stats needs the 'stats' extra (uvicorn is not installed): pip install 'reserver[stats]'
    """
    command = next((a for a in argv if not a.startswith("-")), "")
    extra = EXTRA_OF_COMMAND.get(command)
    module = (exc.name or "").split(".")[0]
    if extra is None or not module or module == "reserver":
        return None
    return (
        f"reserver {command} needs the '{extra}' extra ({module} is not installed): "
        f"pip install 'reserver[{extra}]'"
    )


def main() -> None:
    """Entry point. Click reports usage errors itself (exit 2); a ReserverError is the user's
    input being wrong in a way only reserver can tell: one line and exit status 2 as well. A command
    whose extra is not installed says which one, in one line (exit 2). Anything else is a
    bug: one line and exit status 3."""
    try:
        app()
    except ModuleNotFoundError as exc:
        message = missing_extra(exc, sys.argv[1:])
        if message is None:
            raise
        console_err.print(f"error: {message}", markup=False, highlight=False)
        sys.exit(2)
    except ReserverError as exc:
        # The input (a file, an option, an index's answer) cannot be used as given: the
        # same status as a usage error, so CI tells it from check's and watch's findings (1).
        console_err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        console_err.print("interrupted", highlight=False)
        sys.exit(130)
    except Exception as exc:
        # A bug, not the user's input: one line and its own status (3), so CI tells it from
        # a finding (1) or a usage error (2); RESERVER_TRACEBACK=1 shows where it happened.
        if os.environ.get("RESERVER_TRACEBACK", "") not in ("", "0"):
            raise
        console_err.print(
            f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            " (a bug in reserver; RESERVER_TRACEBACK=1 shows where)",
            markup=False,
            highlight=False,
        )
        sys.exit(3)
    finally:
        reset()  # logging as the process had it, for a caller that goes on (the tests)
