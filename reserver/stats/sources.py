"""Unique sources without addresses: a keyed hash under a salt that lives for one day.

The client address is hashed with HMAC-SHA256 under the day's random salt and truncated;
only the digest reaches the database or the rate limiter. The salt is kept in the store so
several workers agree on it, and deleted when the day is over (see ``StatsStore.salt_for``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date


class SourceHasher:
    """Digests of client addresses under the salt of their day."""

    def __init__(self, salt_for: Callable[[date], bytes]) -> None:
        self._salt_for = salt_for
        self._day: date | None = None
        self._salt = b""

    def needs_salt(self, day: date) -> bool:
        """True when ``day`` has no salt loaded yet (the caller loads it off the event loop)."""
        return day != self._day

    def load(self, day: date) -> None:
        """Fetch (or create) the salt of ``day``; the previous day's salt is forgotten."""
        salt = self._salt_for(day)
        self._day, self._salt = day, salt

    def digest(self, address: str, day: date) -> str | None:
        """32 hex digits identifying ``address`` within ``day`` and nowhere else; None when
        ``day``'s salt is not the one loaded. Never loads it: this runs on the event loop,
        where a database call would stall every request."""
        if day != self._day:
            return None
        return hmac.new(self._salt, address.encode(), hashlib.sha256).hexdigest()[:32]
