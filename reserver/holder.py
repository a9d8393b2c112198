"""Who holds the reserved names, validated so it can be written into generated files safely."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ReserverError

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/+=&?#:@!$,;-]*)?$")


@dataclass(frozen=True)
class Holder:
    """The person or group that holds reserved names and answers requests for them."""

    name: str = "reserver volunteers"
    """Shown in the message, the README and the Author metadata."""
    contact: str = "security@example.org"
    """An email address where a legitimate project can ask for the name."""
    url: str = "https://example.org/reserver"
    """A page explaining the reservation effort."""

    def __post_init__(self) -> None:
        check_text("holder name", self.name, 100)
        if not _EMAIL.match(self.contact) and not _URL.match(self.contact):
            raise ReserverError(f"holder contact {self.contact!r} is not an email address or URL")
        if not _URL.match(self.url):
            raise ReserverError(f"holder url {self.url!r} is not an http(s) URL")

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact, "url": self.url}


def check_text(what: str, value: str, limit: int) -> str:
    """Refuse free text that could break out of a metadata header, a string or markup."""
    if not value or len(value) > limit:
        raise ReserverError(f"{what} must be 1 to {limit} characters")
    if any(ord(c) < 32 or c in '<>"`\\' for c in value):
        raise ReserverError(f"{what} {value!r} contains control characters or markup")
    return value


def check_url(what: str, value: str) -> str:
    """Accept only plain http(s) URLs (the stats URL, project URLs)."""
    if not _URL.match(value):
        raise ReserverError(f"{what} {value!r} is not a plain http(s) URL")
    return value
