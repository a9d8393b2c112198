"""The ``reserver`` command line: a thin layer that parses options and formats results.

Each command lives in its own module and registers itself on ``app``; this module only
wires them together and turns user errors into one line and exit status 1.
"""

from __future__ import annotations

import sys

import typer

from ..errors import ReserverError
from ._app import app, console_err
from . import build_cmd, plan_cmd, upload_cmd  # noqa: F401  (registers commands)


def main() -> None:
    """Entry point: run the app, and turn any ReserverError into one line and exit status 1."""
    try:
        app(standalone_mode=False)
    except ReserverError as exc:
        console_err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console_err.print("aborted", highlight=False)
        sys.exit(130)
    except KeyboardInterrupt:
        console_err.print("interrupted", highlight=False)
        sys.exit(130)
    except __import__("click").ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
