"""reserver: claim the package names people mistype before an attacker does."""

from __future__ import annotations

__version__ = "0.1.0"
