"""The error a dependency file can cause: it names the file and the line, never a secret the
line holds (:func:`reserver.errors.redact`, shared with every other reader of user files)."""

from __future__ import annotations

from ..errors import ReserverError, redact
from .model import Location

__all__ = ["InputFileError", "redact"]


class InputFileError(ReserverError):
    """A dependency file cannot be read or is malformed; a usage error for ``check``."""

    def __init__(self, location: Location, message: str) -> None:
        self.location = location
        self.reason = redact(message)
        super().__init__(f"{location}: {self.reason}")
