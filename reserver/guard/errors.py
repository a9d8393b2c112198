"""The error a dependency file can cause: it names the file and the line."""

from __future__ import annotations

from ..errors import ReserverError
from .model import Location


class InputFileError(ReserverError):
    """A dependency file cannot be read or is malformed; a usage error for ``check``."""

    def __init__(self, location: Location, message: str) -> None:
        self.location = location
        self.reason = message
        super().__init__(f"{location}: {message}")
