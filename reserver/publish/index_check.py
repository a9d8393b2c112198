"""Ask the index, through its simple API, whether a name is already held and by whom.

This is what makes a batch idempotent on any index (PyPI, TestPyPI, pypiserver, devpi):
twine's ``--skip-existing`` only works for PyPI, but every index serves PEP 503 pages, and a
file listed there with our sha256 is our upload, whatever the registry answers to a repeat.
Pages are read through :class:`reserver.index.simple.SimpleClient`; this module decides what
an answer means for a batch (ours, another's, retry later, stop).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urljoin

from ..errors import UploadError
from ..index.listing import ListingError, fetch_listing_with
from ..index.registries import registry_for
from ..index.simple import SimpleAPIError, SimpleClient
from ..names.normalize import canonicalize


class Holding(str, Enum):
    """Who holds a name on the index."""

    ABSENT = "absent"
    OURS = "ours"
    """Our exact file (same name, same sha256) is there."""
    OTHER = "other"
    """The project exists without our file, or with other bytes under our file name."""


@dataclass(frozen=True)
class IndexAnswer:
    """What the index says about one name."""

    holding: Holding
    detail: str = ""


class IndexReadError(Exception):
    """The index could not be read just now (network error or 5xx): worth a retry."""


def simple_url_for(upload_url: str) -> str:
    """The simple index that goes with an upload endpoint.

    >>> simple_url_for("https://upload.pypi.org/legacy/")
    'https://pypi.org/simple/'
    >>> simple_url_for("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080/simple/'
    """
    registry = registry_for(upload_url)
    if registry is not None:  # its simple index lives on another host
        return registry.simple_url
    base = upload_url if upload_url.endswith("/") else upload_url + "/"
    if base.endswith("/legacy/"):
        base = base[: -len("legacy/")]
    return urljoin(base, "simple/")


class IndexCheck:
    """Answers "is this name held?" from an index's simple pages, read through ``client``.

    With ``use_listing`` (for unpaced batches on private indexes, where speed matters) the
    list of all projects is fetched once and refreshed every ``listing_ttl`` seconds; a name
    missing from it needs no request of its own. A fresh look (``fresh=True``) always reads
    the project's own page: after a crash or a lost answer, only that page is the truth.
    """

    def __init__(
        self, client: SimpleClient, use_listing: bool = False, listing_ttl: float = 30.0
    ) -> None:
        self.client = client
        self._use_listing = use_listing
        self._ttl = listing_ttl
        self._listing: set[str] | None = None
        self._listed_at = 0.0

    @property
    def simple_url(self) -> str:
        return self.client.base

    def held(self, name: str, filename: str, sha256: str, *, fresh: bool = False) -> IndexAnswer:
        """Whether ``name`` is absent, held by our ``filename`` with ``sha256``, or by another."""
        key = canonicalize(name)
        if not fresh and self._use_listing:
            listing = self._projects()
            if listing is not None and key not in listing:
                return IndexAnswer(Holding.ABSENT)
        try:
            files = self.client.project(key)
        except SimpleAPIError as exc:
            raise _explained(exc) from None
        if files is None:
            return IndexAnswer(Holding.ABSENT)
        for found in files:
            if found.filename != filename:
                continue
            digest = found.sha256 or self._download_sha256(found.url)
            if digest == sha256:
                return IndexAnswer(Holding.OURS, f"{filename} is on the index")
            return IndexAnswer(Holding.OTHER, f"{filename} is on the index with other content")
        shown = ", ".join(sorted(f.filename for f in files)[:3]) or "no files"
        return IndexAnswer(Holding.OTHER, f"project exists on the index ({shown})")

    def _projects(self) -> set[str] | None:
        now = time.monotonic()
        if self._listing is None or now - self._listed_at > self._ttl:
            try:
                listing = fetch_listing_with(self.client)
            except ListingError:
                self._use_listing = False  # per-name pages still work; the listing is a shortcut
                return None
            self._listing = {canonicalize(name) for name in listing.names}
            self._listed_at = now
        return self._listing

    def remember(self, name: str) -> None:
        """Note that ``name`` now exists (we just uploaded it), without refetching the listing."""
        if self._listing is not None:
            self._listing.add(canonicalize(name))

    def _download_sha256(self, url: str) -> str:
        try:
            return hashlib.sha256(self.client.download(url)).hexdigest()
        except SimpleAPIError as exc:
            detail = exc.status if exc.status is not None else exc.problem
            raise IndexReadError(f"cannot download {url}: {detail}") from None


def _explained(exc: SimpleAPIError) -> Exception:
    """What a failed page read means for a batch: retry later, or stop with what to fix."""
    words = f"{exc.status} {exc.reason}"
    if exc.status is None:
        return IndexReadError(f"cannot read {exc.url}: {exc.problem}")
    if exc.transient:
        return IndexReadError(f"cannot read {exc.url}: {words}")
    if exc.status in (401, 403):
        return UploadError(
            f"the index refused to show {exc.url} ({words}); "
            "give --simple-url, or credentials that may read it"
        )
    if exc.status == 200:  # an answer, but no simple page
        return UploadError(str(exc))
    return UploadError(
        f"{exc.url} is not a simple index page ({words}); give the right --simple-url"
    )
