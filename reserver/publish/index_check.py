"""Ask the index, through its simple API, whether a name is already held and by whom.

This is what makes a batch idempotent on any index (PyPI, TestPyPI, pypiserver, devpi):
twine's ``--skip-existing`` only works for PyPI, but every index serves PEP 503 pages, and a
file listed there with our sha256 is our upload, whatever the registry answers to a repeat.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from enum import Enum
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import requests

from ..errors import UploadError
from ..index.registries import registry_for
from ..names.normalize import canonicalize

_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"


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


class _Links(HTMLParser):
    """The anchors of a PEP 503 page: (text, href) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._text).strip(), self._href))
            self._href = None


@dataclass(frozen=True)
class IndexFile:
    """One file of a project page."""

    filename: str
    url: str
    sha256: str | None


class IndexCheck:
    """Answers "is this name held?" from an index's simple pages.

    With ``use_listing`` (for unpaced batches on private indexes, where speed matters) the
    list of all projects is fetched once and refreshed every ``listing_ttl`` seconds; a name
    missing from it needs no request of its own. A fresh look (``fresh=True``) always reads
    the project's own page: after a crash or a lost answer, only that page is the truth.
    """

    def __init__(
        self,
        session: requests.Session,
        simple_url: str,
        timeout: float = 30.0,
        use_listing: bool = False,
        listing_ttl: float = 30.0,
    ) -> None:
        self.simple_url = simple_url if simple_url.endswith("/") else simple_url + "/"
        self._session = session
        self._timeout = timeout
        self._use_listing = use_listing
        self._ttl = listing_ttl
        self._listing: set[str] | None = None
        self._listed_at = 0.0

    def held(self, name: str, filename: str, sha256: str, *, fresh: bool = False) -> IndexAnswer:
        """Whether ``name`` is absent, held by our ``filename`` with ``sha256``, or by another."""
        key = canonicalize(name)
        if not fresh and self._use_listing:
            listing = self._projects()
            if listing is not None and key not in listing:
                return IndexAnswer(Holding.ABSENT)
        files = self.project_files(key)
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

    def project_files(self, name: str) -> list[IndexFile] | None:
        """The files of a project page, or None when the index has no such project."""
        url = urljoin(self.simple_url, canonicalize(name) + "/")
        response = self._get(url)
        if response.status_code == 404:
            return None
        return _parse_files(response, url)

    def _projects(self) -> set[str] | None:
        now = time.monotonic()
        if self._listing is None or now - self._listed_at > self._ttl:
            try:
                response = self._get(self.simple_url)
            except IndexReadError:
                response = None
            if response is None or response.status_code != 200:
                self._use_listing = False  # per-name pages still work; the listing is a shortcut
                return None
            self._listing = _parse_projects(response)
            self._listed_at = now
        return self._listing

    def remember(self, name: str) -> None:
        """Note that ``name`` now exists (we just uploaded it), without refetching the listing."""
        if self._listing is not None:
            self._listing.add(canonicalize(name))

    def _get(self, url: str) -> requests.Response:
        try:
            response = self._session.get(url, headers={"Accept": _ACCEPT}, timeout=self._timeout)
        except requests.RequestException as exc:
            raise IndexReadError(f"cannot read {url}: {exc}") from None
        if response.status_code in (401, 403):
            raise UploadError(
                f"the index refused to show {url} ({response.status_code} {response.reason}); "
                "give --simple-url, or credentials that may read it"
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise IndexReadError(f"cannot read {url}: {response.status_code} {response.reason}")
        if response.status_code not in (200, 404):
            raise UploadError(
                f"{url} is not a simple index page ({response.status_code} {response.reason}); "
                "give the right --simple-url"
            )
        return response

    def _download_sha256(self, url: str) -> str:
        try:
            response = self._session.get(url, timeout=self._timeout)
        except requests.RequestException as exc:
            raise IndexReadError(f"cannot download {url}: {exc}") from None
        if response.status_code != 200:
            raise IndexReadError(f"cannot download {url}: {response.status_code}")
        return hashlib.sha256(response.content).hexdigest()


def _is_json(response: requests.Response) -> bool:
    return "json" in response.headers.get("Content-Type", "")


def _parse_files(response: requests.Response, page_url: str) -> list[IndexFile]:
    if _is_json(response):
        try:
            data = json.loads(response.text)
            return [
                IndexFile(
                    str(item["filename"]),
                    urljoin(page_url, str(item["url"])),
                    item.get("hashes", {}).get("sha256"),
                )
                for item in data.get("files", [])
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UploadError(f"{page_url}: unreadable simple JSON ({exc})") from None
    parser = _Links()
    parser.feed(response.text)
    files: list[IndexFile] = []
    for text, href in parser.links:
        absolute, fragment = urldefrag(urljoin(page_url, href))
        sha = fragment[len("sha256=") :] if fragment.startswith("sha256=") else None
        filename = text or absolute.rsplit("/", 1)[-1]
        files.append(IndexFile(filename, absolute, sha))
    return files


def _parse_projects(response: requests.Response) -> set[str]:
    if _is_json(response):
        try:
            data = json.loads(response.text)
            return {canonicalize(str(p["name"])) for p in data.get("projects", [])}
        except (ValueError, KeyError, TypeError) as exc:
            raise UploadError(f"unreadable simple JSON index ({exc})") from None
    parser = _Links()
    parser.feed(response.text)
    return {canonicalize(text) for text, _ in parser.links if text}
