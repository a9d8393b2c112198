"""The few exceptions a user can cause; the CLI turns each into a one-line message."""

from __future__ import annotations


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
