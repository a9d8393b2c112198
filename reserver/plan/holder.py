"""Who holds the reserved names, validated so it can be written into generated files safely."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import ReserverError, excerpt

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\Z")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/+=&?#:@!$,;-]*)?\Z")


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
        self.check()

    def check(self) -> Holder:
        """``self`` when every field is safe in a placeholder's files, else ReserverError;
        run on creation and again by the builder before rendering."""
        check_text("holder name", self.name, 100)
        contact, url = self.contact, self.url
        if not isinstance(contact, str) or not (_EMAIL.match(contact) or _URL.match(contact)):
            raise ReserverError(f"holder contact {excerpt(contact)} is not an email address or URL")
        if not isinstance(url, str) or not _URL.match(url):
            raise ReserverError(f"holder url {excerpt(url)} is not an http(s) URL")
        return self

    def is_example(self) -> bool:
        """True while the contact or the page is still the example default (or any address
        at the reserved example domains): fine on a local index, never on a public one.

        >>> Holder().is_example(), Holder(contact="sec@acme.test", url="https://acme.test/").is_example()
        (True, False)
        """
        hosts = (_host(self.contact), _host(self.url))
        return any(h in _EXAMPLE_DOMAINS or h.endswith(_EXAMPLE_SUFFIXES) for h in hosts)

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact, "url": self.url}


#: RFC 2606 names for examples: nobody reads mail sent there.
_EXAMPLE_DOMAINS = frozenset({"example.org", "example.com", "example.net"})
_EXAMPLE_SUFFIXES = (".example.org", ".example.com", ".example.net", ".example", ".invalid")


def _host(contact: str) -> str:
    """The domain of an email address or an http(s) URL, lower-cased."""
    if "@" in contact and "://" not in contact:
        return contact.rsplit("@", 1)[1].lower()
    return (contact.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]).lower()


def check_text(what: str, value: str, limit: int) -> str:
    """Refuse free text that could break out of a metadata header, a string or markup."""
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ReserverError(f"{what} must be 1 to {limit} characters")
    # Cc: control characters (C0 and C1); Cf: invisible format characters, among them the
    # bidirectional overrides that make "ACME\u202eytiruceS" read as another name.
    if any(unicodedata.category(c) in ("Cc", "Cf") or c in '<>"`\\' for c in value):
        raise ReserverError(f"{what} {value!r} contains control characters or markup")
    return value


def check_url(what: str, value: str) -> str:
    """Accept only plain http(s) URLs (the stats URL, project URLs)."""
    if not _URL.match(value):
        raise ReserverError(f"{what} {excerpt(value)} is not a plain http(s) URL")
    return value
