"""The error a dependency file can cause: it names the file and the line, never a secret the
line holds."""

from __future__ import annotations

import re

from ..errors import ReserverError
from .model import Location

# What a requirements file line may carry that must not reach a CI log: credentials in a URL
# ("https://user:token@host"), a token-like assignment ("token=...", "password: ..."), and
# long opaque words (API tokens such as ghp_..., pypi-...).
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s'\"]+@")
_ASSIGNED = re.compile(
    r"(?i)\b(token|password|passwd|pwd|secret|api[_-]?key|auth|credentials?)(\s*[=:]\s*)[^\s'\"&;]+"
)
_OPAQUE = re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}\b")


def redact(text: str) -> str:
    """``text`` with the secrets a dependency line may hold replaced by ``***``.

    >>> redact("--index-url https://bob:s3cr3t@pypi.internal/simple")
    '--index-url https://***@pypi.internal/simple'
    >>> redact("bad line token=ABC123 and ghp_16C7e42F292c6912E7710c838347Ae178B4a")
    'bad line token=*** and ***'
    >>> redact("requests>=2.31  # the usual")
    'requests>=2.31  # the usual'
    """
    text = _URL_CREDENTIALS.sub("***@", text)
    text = _ASSIGNED.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _OPAQUE.sub("***", text)


class InputFileError(ReserverError):
    """A dependency file cannot be read or is malformed; a usage error for ``check``."""

    def __init__(self, location: Location, message: str) -> None:
        self.location = location
        self.reason = redact(message)
        super().__init__(f"{location}: {self.reason}")
