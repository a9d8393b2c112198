"""The few exceptions a user can cause; the CLI turns each into a one-line message.

Also the two rules for echoing what a user's file holds in such a message: never a secret
(:func:`redact`), never more than a line's worth (:func:`excerpt`).
"""

from __future__ import annotations

import re


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


# What a line of a user's file may carry that must not reach a CI log: credentials in a URL
# ("https://user:token@host"), a token-like assignment ("token=...", "password: ..."), and
# long opaque words (API tokens such as ghp_..., pypi-...).
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s'\"]+@")
_ASSIGNED = re.compile(
    r"(?i)\b(token|password|passwd|pwd|secret|api[_-]?key|auth|credentials?)(\s*[=:]\s*)[^\s'\"&;]+"
)
# Whole runs of word characters and dashes only (the lookarounds pin both ends), so each
# character is looked at a bounded number of times: the earlier pattern, anchored on \b with
# lookaheads, re-scanned the rest of the run at every dash ("a-a-a-...": 21 s for 40,000
# characters), and an error about a long hostile line never finished.
_RUN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_-])")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")


def _opaque(match: re.Match[str]) -> str:
    word = match.group(0)
    return "***" if _DIGIT.search(word) and _LETTER.search(word) else word


def redact(text: str) -> str:
    """``text`` with the secrets a line of a file may hold replaced by ``***``.

    >>> redact("--index-url https://bob:s3cr3t@pypi.internal/simple")
    '--index-url https://***@pypi.internal/simple'
    >>> redact("bad line token=ABC123 and ghp_16C7e42F292c6912E7710c838347Ae178B4a")
    'bad line token=*** and ***'
    >>> redact("requests>=2.31  # the usual")
    'requests>=2.31  # the usual'
    """
    text = hide_credentials(text)
    text = _ASSIGNED.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _RUN.sub(_opaque, text)


def hide_credentials(text: str) -> str:
    """``text`` with the credentials of any URL in it replaced by ``***``: what a log line
    needs, since it names the index and service URLs a user gave, and nothing else.

    >>> hide_credentials("GET https://bob:s3cr3t@pypi.internal/simple/ (cached)")
    'GET https://***@pypi.internal/simple/ (cached)'
    """
    return _URL_CREDENTIALS.sub("***@", text)


#: How much of a value read from a file an error message quotes.
EXCERPT_CHARS = 60
# A secret that straddles the cut is redacted whole before the cut: tokens are far shorter.
_SECRET_MARGIN = 256


def _scalar(value: object) -> str:
    # A list or an object read from JSON is named, not printed: its repr could be megabytes
    # long, or nested deeper than repr can recurse.
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return f"<{type(value).__name__}>"


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``value`` as an error message quotes it: its repr, secrets redacted, at most ``limit``
    characters of it (then "..."), so a 5 MB line or a token never reaches the terminal.

    >>> excerpt("token=s3cr3t"), excerpt("x" * 100, limit=5), excerpt([[1]])
    ("'token=***'", "'xxxxx'...", "'<list>'")
    """
    text = value if isinstance(value, str) else _scalar(value)
    shown, cut = _redacted_prefix(text, limit)
    return repr(shown) + ("..." if cut else "")


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    """:func:`excerpt` without the quotes, for a path or a word in a sentence.

    >>> shorten("https://bob:s3cr3t@host/" + "x" * 100, limit=30)
    'https://***@host/xxxxxxxxxxxxx...'
    """
    shown, cut = _redacted_prefix(text, limit)
    return shown + ("..." if cut else "")


def _redacted_prefix(text: str, limit: int) -> tuple[str, bool]:
    """At most ``limit`` characters of ``text`` with secrets redacted, and whether it was cut."""
    redacted = redact(text[: limit + _SECRET_MARGIN])
    return redacted[:limit], len(redacted) > limit or len(text) > limit + _SECRET_MARGIN
