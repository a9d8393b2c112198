"""One index's simple API over httpx: whether a project exists, the files on its page.

The one client reserver reads an index with. ``listing`` fetches the whole listing through it
and asks name by name when an index does not list its projects; ``publish`` asks it whether
a name is already held, before an upload and after an answer that was lost. Project pages are
read as PEP 691 JSON when the index serves it, else as PEP 503 HTML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin

from .._closing import Closing
from ..errors import ReserverError
from ..names.normalize import canonicalize

if TYPE_CHECKING:
    import ssl

    import httpx  # imported where a request is made: reading a listing FILE needs no httpx

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPES = ("application/vnd.pypi.simple.v1+html", "text/html")
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
DEFAULT_TIMEOUT = 30.0


def simple_url(index: str) -> str:
    """The listing URL of an index given by its root or its simple URL.

    >>> simple_url("http://127.0.0.1:8080"), simple_url("https://pypi.org/simple")
    ('http://127.0.0.1:8080/simple/', 'https://pypi.org/simple/')
    """
    base = index.rstrip("/")
    if base.rsplit("/", 1)[-1] in ("simple", "+simple"):
        return base + "/"
    return base + "/simple/"


def is_json(content_type: str | None, body: bytes) -> bool:
    """Whether a simple-API answer is PEP 691 JSON: by its type, or by its first character.

    >>> is_json(JSON_TYPE, b""), is_json("text/html", b"<html>"), is_json(None, b' {"meta"')
    (True, False, True)
    """
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind.endswith(("/json", "+json")) or body.lstrip().startswith(b"{")


def short_error(exc: BaseException) -> str:
    """The first line of an exception's text (at most 80 characters), or its type."""
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__


class SimpleAPIError(ReserverError):
    """The index did not answer, or answered something other than a simple page."""

    def __init__(self, url: str, problem: str, status: int | None = None, reason: str = "") -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
        """What went wrong, in words, without the URL."""
        self.status = status
        """The HTTP status; None when no answer came (timeout, refused connection). 200 for
        an answer that is no simple page."""
        self.reason = reason
        """The index's reason phrase, with ``status``."""

    @property
    def transient(self) -> bool:
        """True when asking again later may work: no answer, a 5xx or a 429."""
        return self.status is None or self.status >= 500 or self.status == 429


@dataclass(frozen=True)
class ProjectFile:
    """One file of a project page."""

    filename: str
    url: str
    """Where to download it: absolute, without the hash fragment."""
    sha256: str | None
    """Its digest as the page gives it (PEP 691 ``hashes``, PEP 503 ``#sha256=``), if it does."""


class _Links(HTMLParser):
    """The anchors of a PEP 503 page: (text, href) pairs, entities decoded."""

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


def parse_project_page(body: bytes, content_type: str | None, url: str) -> list[ProjectFile]:
    """The files a project page lists (PEP 691 JSON or PEP 503 HTML), URLs made absolute.

    >>> page = b'<a href="../../f/x-1.0.tar.gz#sha256=ab">x-1.0.tar.gz</a>'
    >>> parse_project_page(page, "text/html", "http://i/simple/x/")
    [ProjectFile(filename='x-1.0.tar.gz', url='http://i/f/x-1.0.tar.gz', sha256='ab')]
    """
    if is_json(content_type, body):
        try:
            data = json.loads(body)
            return [
                ProjectFile(
                    str(item["filename"]),
                    urljoin(url, str(item["url"])),
                    item.get("hashes", {}).get("sha256"),
                )
                for item in data.get("files", [])
            ]
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            problem = f"not a PEP 691 project page ({short_error(exc)})"
            raise SimpleAPIError(url, problem, 200, "OK") from None
    parser = _Links()
    parser.feed(body.decode("utf-8", "replace"))
    files: list[ProjectFile] = []
    for text, href in parser.links:
        absolute, fragment = urldefrag(urljoin(url, href))
        sha = fragment[len("sha256=") :] if fragment.startswith("sha256=") else None
        files.append(ProjectFile(text or absolute.rsplit("/", 1)[-1], absolute, sha))
    return files


class SimpleClient(Closing):
    """One connection to one index's simple API, reused for every request.

    ``base`` is the simple URL as given (``https://pypi.org/simple/``); project pages are
    below it. ``auth`` and ``verify`` are httpx's: a login that may read a private index,
    and the TLS trust to reach it with. No request is retried here: a caller that retries
    decides when (the upload batch backs off and records each failure).
    """

    def __init__(
        self,
        base: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        auth: tuple[str, str] | httpx.Auth | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.timeout = timeout
        self._transport, self._auth, self._verify = transport, auth, verify
        self._client: httpx.Client | None = None

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """The answer to a GET of ``url`` (simple types accepted), whatever its status;
        :class:`SimpleAPIError` when none came."""
        import httpx

        if self._client is None:  # on first use: an answer from a cache needs no connection
            self._client = httpx.Client(
                timeout=self.timeout,
                transport=self._transport,
                auth=self._auth,
                verify=self._verify,
                follow_redirects=True,
            )
        try:
            return self._client.get(url, headers={"Accept": ACCEPT, **(headers or {})})
        except httpx.TimeoutException:
            problem = f"the index did not answer within {self.timeout:g} s"
            raise SimpleAPIError(url, problem) from None
        except httpx.HTTPError as exc:
            raise SimpleAPIError(url, f"cannot reach the index ({short_error(exc)})") from None

    def page_url(self, name: str) -> str:
        return urljoin(self.base, canonicalize(name) + "/")

    def _page(self, name: str) -> httpx.Response | None:
        """The 200 answer for ``name``'s page, None on a 404, else :class:`SimpleAPIError`."""
        url = self.page_url(name)
        response = self.get(url)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise _answered(url, response)
        return response

    def exists(self, name: str) -> bool:
        """True when the index has a page for project ``name``."""
        return self._page(name) is not None

    def project(self, name: str) -> list[ProjectFile] | None:
        """The files of project ``name``, or None when the index has no such project."""
        response = self._page(name)
        if response is None:
            return None
        content_type = response.headers.get("content-type")
        return parse_project_page(response.content, content_type, self.page_url(name))

    def download(self, url: str) -> bytes:
        """The bytes of a file the index lists."""
        response = self.get(url, {"Accept": "*/*"})
        if response.status_code != 200:
            raise _answered(url, response)
        return response.content

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _answered(url: str, response: httpx.Response) -> SimpleAPIError:
    status, reason = response.status_code, response.reason_phrase
    return SimpleAPIError(url, f"the index answered {status} {reason}", status, reason)
