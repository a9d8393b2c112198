"""Defaults of the publish stack that the command line needs as option defaults.

Kept apart from the modules that use them so that declaring the ``reserver`` commands (done
on every invocation) does not import the ledger or the upload machinery.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_LEDGER = Path("generated/ledger.sqlite")
