"""The service's secret key: a file outside the database, from which each day's key is derived.

Unique sources are counted by keyed digests of client addresses. If the key lived in the
database beside the digests (as the daily salt once did), a copy of the database would be
enough to reverse every IPv4 digest by trying all 2^32 addresses. So the key is a file of
its own, created once with owner-only permissions, and never written to the database; each
day's key is ``HMAC-SHA256(secret, date)``, so every worker reading the same file agrees on
the day's digests without talking to the others, and digests of different days cannot be
linked. See docs/stats.md for what a stolen database, or database and key file, reveal.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import ReserverError

#: 256 bits: HMAC-SHA256's full key strength, far beyond any search (the addresses hashed
#: under it are what is small; the key must not be).
SECRET_BYTES = 32
#: What a secret file holds: the key as hex, one line (easy to copy to another host).
_HEX_DIGITS = SECRET_BYTES * 2
#: Separates the derived keys' inputs from any other use of the same secret.
_DAY_CONTEXT = b"reserver stats: source key of "
_CHECK_CONTEXT = b"reserver stats: secret check"
#: Name of the default file in the user's data folder (databases that are not a file).
DATA_FILE = "stats-secret"


class SecretError(ReserverError):
    """The secret file cannot be created or read, or does not hold a secret."""


@dataclass(frozen=True)
class Secret:
    """The key and what the operator should know about its file."""

    key: bytes
    path: Path
    created: bool
    #: True when others than the owner may read the file (the operator's copy, not ours).
    readable_by_others: bool

    def check(self) -> str:
        """A short fingerprint, stored in the database so workers can tell they disagree.

        It is a one-way function of a 256-bit key, truncated to 64 bits (enough that two
        different secrets never show the same): it cannot help find the key, only confirm
        one already held.
        """
        return hmac.new(self.key, _CHECK_CONTEXT, hashlib.sha256).hexdigest()[:16]


def default_path(db_url: str) -> Path:
    """Next to a SQLite database file; in the user's data folder for any other database."""
    try:
        parsed = make_url(db_url)
    except ArgumentError:
        raise SecretError(f"not a database URL: {db_url!r}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(str(parsed.database))
        return database.with_name(database.name + ".secret")
    return platformdirs.user_data_path("reserver") / DATA_FILE


def load_or_create(path: Path) -> Secret:
    """The secret in ``path``, creating the file (mode 0600) with a new random one if missing.

    Several workers starting at once agree: the file is written complete under a temporary
    name and then linked into place, which fails if another worker got there first; that
    one's file is read instead, and nobody ever reads a half-written one.
    """
    created = False
    if not path.exists():
        created = _create(path)
    try:
        text = path.read_text(encoding="ascii").strip()
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"cannot read the secret file {path}: {exc}") from None
    if len(text) != _HEX_DIGITS or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise SecretError(
            f"{path} does not hold a reserver stats secret ({_HEX_DIGITS} hex digits); "
            "move it away to have a new one created"
        )
    # Permission bits mean nothing on Windows, where the folder's ACL decides.
    loose = os.name == "posix" and bool(stat.S_IMODE(mode) & 0o077)
    return Secret(bytes.fromhex(text), path, created, loose)


def _create(path: Path) -> bool:
    """Write a new secret to ``path``; False when another process created it meanwhile."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # mode 0600
    except OSError as exc:
        raise SecretError(f"cannot create the secret file {path}: {exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(SECRET_BYTES) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # atomic, and refuses to replace another worker's file
        except FileExistsError:
            return False
        except OSError as exc:
            raise SecretError(f"cannot create the secret file {path}: {exc}") from None
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def day_key(secret: bytes, day: date) -> bytes:
    """The key of ``day``'s source digests: the same in every worker holding ``secret``,
    unrelated to any other day's without it."""
    return hmac.new(secret, _DAY_CONTEXT + day.isoformat().encode(), hashlib.sha256).digest()
