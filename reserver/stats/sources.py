"""Unique sources without addresses: a keyed digest under a key that lives for one day.

The client address is hashed with HMAC-SHA256 under the day's key (derived from the secret
file, see ``secret``) and truncated; only the digest reaches the database or the rate
limiter. The key is never stored: every worker derives the same one from the same secret,
and the day's digests are deleted from the database once the day is over.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from .secret import day_key


class SourceHasher:
    """Digests of client addresses under the key of their day."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._day: date | None = None
        self._mac = hmac.new(b"", digestmod=hashlib.sha256)

    @property
    def day(self) -> date | None:
        """The day whose key is loaded."""
        return self._day

    def rotate(self, day: date) -> None:
        """Load ``day``'s key in place of the previous day's (cheap: no I/O)."""
        if day != self._day:
            # Keyed once per day; each digest copies this state instead of keying again.
            self._mac = hmac.new(day_key(self._secret, day), digestmod=hashlib.sha256)
            self._day = day

    def digest(self, address: str, day: date) -> str:
        """32 hex digits identifying ``address`` within ``day`` and nowhere else."""
        self.rotate(day)
        mac = self._mac.copy()
        mac.update(address.encode())
        # 128 bits (the column's width): two sources of one day never collide in practice.
        return mac.hexdigest()[:32]
