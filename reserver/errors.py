"""The few exceptions a user can cause; the CLI turns each into a one-line message."""

from __future__ import annotations

from pathlib import Path


class ReserverError(Exception):
    """Something the user asked for cannot be done; the message says what and why."""


class InvalidNameError(ReserverError, ValueError):
    """A package name is not valid on a Python package index."""


class PlanError(ReserverError):
    """A plan file is missing, unreadable or malformed."""


class ValidationError(ReserverError):
    """A built sdist breaks a rule the registry enforces at upload time."""


class UploadError(ReserverError):
    """An upload could not be done (bad endpoint, credentials, or a refusal)."""


def read_text_file(path: Path, what: str, error: type[ReserverError] = ReserverError) -> str:
    """The UTF-8 text of a file the user named, or ``error`` saying in one line why not.

    >>> read_text_file(Path("/no/such/list.txt"), "targets file")
    Traceback (most recent call last):
    reserver.errors.ReserverError: /no/such/list.txt: no such targets file
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what} ({exc})") from None
