"""The names an index holds: one request for its whole ``/simple/`` listing, cached on disk.

PEP 691 JSON is asked for first and PEP 503 HTML accepted; the answer is cached with its
ETag/Last-Modified so the next run sends a conditional request. A saved listing file (JSON,
HTML, or one name per line) works offline. Per-name look-ups exist only as a fallback for
small runs against indexes that do not list their projects. Every request goes through
:class:`~reserver.index.simple.SimpleClient`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import MIB, load_json, read_bytes_file
from ..errors import ReserverError, excerpt
from ..names.rules import EMPTY, KnownNames
from .http_cache import Cached, ConditionalCache
from .simple import (
    HTML_TYPES,
    JSON_TYPE,
    SimpleAPIError,
    SimpleClient,
    is_json,
    short_error,
    simple_url,
)

if TYPE_CHECKING:
    import httpx  # imported where a request is made: reading a listing FILE needs no httpx

DEFAULT_TIMEOUT = 60.0
#: More names than this and per-name look-ups would hammer the index: refuse the fallback.
MAX_LOOKUPS = 200
#: Answers meaning "this index does not list its projects", not "this index is broken".
_NOT_LISTED = frozenset({403, 404, 405, 406, 501})

logger = logging.getLogger(__name__)

# The registry's own name rule without our length cap: a listing is the registry's truth,
# and real indexes hold a few names longer than anything we would generate.
_LISTED_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_ANCHOR = re.compile(rb"<a\b[^>]*>\s*([^<\s][^<]*?)\s*</a>", re.IGNORECASE)


class ListingError(ReserverError):
    """The index listing could not be fetched or read."""

    def __init__(self, message: str, fallback_ok: bool = False) -> None:
        super().__init__(message)
        self.fallback_ok = fallback_ok
        """True when the index simply does not list its projects (per-name look-ups may work)."""


@dataclass(frozen=True)
class Listing:
    """The project names of one index and where they came from."""

    names: tuple[str, ...]
    source: str
    """URL or file the names were read from."""
    from_cache: bool = False
    """True when the index answered 304 and the cached copy was used."""
    serial: int | None = None
    """PEP 691's ``_last-serial``, when the index sends one: equal serials, same projects."""

    def known(self) -> KnownNames:
        return KnownNames.from_names(self.names, complete=True)


_SERIAL = re.compile(rb'"_last-serial"\s*:\s*(\d+)')


def parse_listing(body: bytes, content_type: str | None, source: str) -> tuple[str, ...]:
    """Project names from a listing body; ListingError when it is not a listing at all."""
    if is_json(content_type, body):
        return _parse_json(body, source)
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in HTML_TYPES or body.lstrip()[:1] == b"<":
        return _parse_html(body, source)
    return _parse_lines(body, source)


def listing_serial(body: bytes) -> int | None:
    """``meta._last-serial`` of a PEP 691 listing, or None (HTML, or an index without it).

    >>> listing_serial(b'{"meta": {"api-version": "1.1", "_last-serial": 42}, "projects": []}')
    42
    """
    if not body.lstrip().startswith(b"{"):
        return None
    # The serial sits in "meta", near the start: read that much, not a PyPI-sized body twice.
    head = body[: body.find(b'"projects"')] if b'"projects"' in body else body
    match = _SERIAL.search(head)
    return int(match.group(1)) if match else None


def _parse_json(body: bytes, source: str) -> tuple[str, ...]:
    try:
        data = load_json(body, source, ListingError)
        projects = data["projects"]
        names = tuple(_project_name(p["name"]) for p in projects)
    except (ValueError, KeyError, TypeError) as exc:
        raise ListingError(
            f"{source}: not a PEP 691 project listing ({short_error(exc)})"
        ) from None
    if not names and data.get("meta") is None:
        raise ListingError(f"{source}: not a PEP 691 project listing (no meta, no projects)")
    return names


def _project_name(value: object) -> str:
    # Never str() of whatever the listing holds there: a list nested a thousand deep would
    # overflow repr's stack.
    if not isinstance(value, str):
        raise TypeError(f"a project name is {type(value).__name__}, not a string")
    return value


def _parse_html(body: bytes, source: str) -> tuple[str, ...]:
    names = tuple(m.decode("utf-8", "replace") for m in _ANCHOR.findall(body))
    # A page without project links is a login page or a portal, unless it says it is an
    # (empty) simple index: taking it for an empty index would report every name free.
    if not names and b"simple index" not in body[:4000].lower():
        raise ListingError(f"{source}: not a PEP 503 project listing (no project links)")
    bad = next((n for n in names if not _LISTED_NAME.match(n)), None)
    if bad is not None:
        raise ListingError(f"{source}: not a project listing (link text {excerpt(bad, 40)})")
    return names


def _parse_lines(body: bytes, source: str) -> tuple[str, ...]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ListingError(f"{source}: not a listing (not UTF-8 text)") from None
    names = tuple(line.strip() for line in text.splitlines() if line.strip())
    for number, name in enumerate(names, 1):
        if not _LISTED_NAME.match(name):
            raise ListingError(
                f"{source}: line {number} is not a project name: {excerpt(name, 40)}"
            )
    return names


#: Largest saved listing read: PyPI's whole PEP 691 listing (about 700,000 projects) is
#: under 64 MiB; room for it to grow, and a limit for /dev/zero.
MAX_LISTING_BYTES = 256 * MIB


def load_listing_file(path: Path) -> Listing:
    """Read a saved listing (PEP 691 JSON, PEP 503 HTML, or one name per line)."""
    body = read_bytes_file(path, "listing file", ListingError, MAX_LISTING_BYTES)
    if not body.strip():
        raise ListingError(f"{path}: the listing file is empty")
    suffix = path.suffix.lower()
    content_type = (
        JSON_TYPE if suffix == ".json" else "text/html" if suffix in (".html", ".htm") else None
    )
    names = parse_listing(body, content_type, str(path))
    return _read(Listing(names, str(path), serial=listing_serial(body)), "a saved listing")


def _read(listing: Listing, how: str) -> Listing:
    logger.info("%s: %d projects (%s)", listing.source, len(listing.names), how)
    return listing


def fetch_listing(
    index: str,
    cache_dir: Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    require_json: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> Listing:
    """GET the whole listing of ``index`` once, conditionally when a cached copy exists.

    ``require_json`` refuses an index that answers HTML (PEP 691 was demanded).
    """
    with SimpleClient(simple_url(index), timeout=timeout, transport=transport) as client:
        return fetch_listing_with(client, cache_dir, require_json=require_json)


def fetch_listing_with(
    client: SimpleClient, cache_dir: Path | None = None, *, require_json: bool = False
) -> Listing:
    """:func:`fetch_listing` through an open client: its simple URL, login and timeout."""
    url = client.base
    cache = ConditionalCache(cache_dir, "listing", url)
    accept = {"Accept": JSON_TYPE} if require_json else {}
    try:
        answer = cache.fetch(lambda validators: client.get(url, {**accept, **validators}))
    except SimpleAPIError as exc:
        raise ListingError(str(exc)) from None
    if isinstance(answer, Cached):
        names = parse_listing(answer.body, answer.content_type, url)
        return _read(Listing(names, url, True, listing_serial(answer.body)), answer.how)
    if answer.status_code != 200:
        raise ListingError(
            f"{url}: the index answered {answer.status_code} {answer.reason_phrase}",
            fallback_ok=answer.status_code in _NOT_LISTED,
        )
    content_type = answer.headers.get("content-type", "")
    if require_json and not content_type.startswith(JSON_TYPE):
        raise ListingError(
            f"{url}: asked for PEP 691 JSON, the index answered {content_type or 'no type'}"
        )
    names = parse_listing(answer.content, content_type, url)
    cache.store(answer)
    return _read(Listing(names, url, serial=listing_serial(answer.content)), "fetched")


class NameLookup:
    """Ask ``/simple/<name>/`` one name at a time: the fallback for small runs only.

    Used when an index does not serve its whole listing. Each answer is remembered; past
    ``limit`` look-ups it refuses, so a large run cannot hammer the index by accident.
    """

    def __init__(
        self,
        index: str,
        *,
        timeout: float = 10.0,
        limit: int = MAX_LOOKUPS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.limit = limit
        self._answers: dict[str, bool] = {}
        self._client = SimpleClient(simple_url(index), timeout=timeout, transport=transport)
        self.base = self._client.base

    def exists(self, name: str) -> bool:
        """True when the index has a project page for ``name``."""
        if name in self._answers:
            return self._answers[name]
        if len(self._answers) >= self.limit:
            raise ListingError(
                f"more than {self.limit} per-name look-ups; give a saved listing with --index FILE"
            )
        try:
            self._answers[name] = self._client.exists(name)
        except SimpleAPIError as exc:
            raise ListingError(str(exc)) from None
        logger.debug("%s: %s", self._client.page_url(name), self._answers[name])
        return self._answers[name]

    @property
    def count(self) -> int:
        """How many names were asked so far."""
        return len(self._answers)

    def close(self) -> None:
        self._client.close()


def names_of(
    index: str, cache_dir: Path | None = None, *, ask_each: bool = True
) -> tuple[KnownNames, NameLookup | None]:
    """What ``index`` (a saved listing file or an index URL) holds: its whole listing, or,
    for an index that does not serve one, nothing listed and a :class:`NameLookup` to ask
    name by name (``ask_each=False`` refuses that instead, re-raising the listing error)."""
    if not index.startswith(("http://", "https://")):
        return load_listing_file(Path(index)).known(), None
    try:
        return fetch_listing(index, cache_dir).known(), None
    except ListingError as exc:
        if not exc.fallback_ok or not ask_each:
            raise
        logger.info("%s; asking the index name by name instead", exc)
        return EMPTY, NameLookup(index)
