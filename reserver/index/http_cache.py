"""A conditional-GET cache on disk (ETag / Last-Modified) for the large files reserver reads
from the network: an index's listing and a top-packages list.

Written here rather than taken from an HTTP caching library (hishel, for httpx): hishel's
transport keeps every cacheable 200 as its body is read, before the caller can judge it, so a
portal's login page or a listing cut short would be served from the cache for its max-age;
here an answer is stored only once its caller found it valid (:meth:`ConditionalCache.store`).
It is also a hundred lines against two more distributions in the guard's install (hishel 1.4
needs msgpack and typing-extensions) and an API that changed under pdm in hishel 2 (see
pyproject.toml).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import write_atomic

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Cached:
    """The cached copy of a URL, used instead of a new body."""

    body: bytes
    content_type: str
    how: str
    """Why the copy was used, for a log line: still fresh, or unchanged (a 304)."""


class ConditionalCache:
    """The cached copy of one URL: validators to send, the body to reuse on 304, and storing
    a fresh answer. Without a cache folder it does nothing, and every GET is a full one."""

    def __init__(self, cache_dir: Path | None, prefix: str, url: str) -> None:
        self.url = url
        self._body_path: Path | None = None
        self._meta_path: Path | None = None
        self._meta: dict[str, str] = {}
        if cache_dir is not None:
            key = hashlib.sha256(url.encode()).hexdigest()[:16]
            self._body_path = cache_dir / f"{prefix}-{key}.body"
            self._meta_path = cache_dir / f"{prefix}-{key}.meta.json"
            if self._body_path.exists():
                self._meta = _read_meta(self._meta_path)

    def fetch(self, send: Callable[[dict[str, str]], httpx.Response]) -> Cached | httpx.Response:
        """The cached copy while it is fresh (``send`` is not called), or the answer to
        ``send(validators)``: the cached copy again when that is a 304, else the response
        itself, for the caller to check, read, and :meth:`store` once found valid."""
        kept = self.fresh()
        if kept is not None:
            return kept
        response = send(self.validators())
        return self.reuse(response) or response

    def fresh(self, now: float | None = None) -> Cached | None:
        """The cached copy while the server said it stays fresh (its Cache-Control max-age),
        with no request at all. A server that sends no validators (PyPI's listing came with
        an empty ETag) can still be cached this way."""
        if self._body_path is None or not self._meta:
            return None
        try:
            age = (time.time() if now is None else now) - float(self._meta.get("fetched_at", ""))
            max_age = float(self._meta.get("max_age", ""))
        except ValueError:
            return None
        if not 0 <= age < max_age:
            return None
        return self._copy("the cached copy, still fresh: not asked")

    def validators(self) -> dict[str, str]:
        """The If-None-Match / If-Modified-Since headers for a conditional GET."""
        headers: dict[str, str] = {}
        if self._meta.get("etag"):
            headers["If-None-Match"] = self._meta["etag"]
        if self._meta.get("last_modified"):
            headers["If-Modified-Since"] = self._meta["last_modified"]
        return headers

    def reuse(self, response: httpx.Response) -> Cached | None:
        """The cached copy when ``response`` is a 304 for it."""
        if response.status_code != 304 or self._body_path is None or not self._meta:
            return None
        return self._copy("unchanged since the cached copy")

    def _copy(self, how: str) -> Cached:
        assert self._body_path is not None
        return Cached(self._body_path.read_bytes(), self._meta.get("content_type", ""), how)

    def store(self, response: httpx.Response) -> None:
        """Keep a 200 answer (call it once the body was found valid) for the next GET."""
        if self._body_path is None or self._meta_path is None:
            return
        meta = {
            "url": self.url,
            "content_type": response.headers.get("content-type", ""),
            "etag": response.headers.get("etag", ""),
            "last_modified": response.headers.get("last-modified", ""),
            "fetched_at": str(time.time()),
            "max_age": _max_age(response.headers.get("cache-control", "")),
        }
        # The cache folder is reserver's own: made on first use.
        write_atomic(self._body_path, response.content, make_parents=True)
        write_atomic(self._meta_path, json.dumps(meta).encode(), make_parents=True)


def _max_age(cache_control: str) -> str:
    """The max-age of a Cache-Control header in seconds ("" when absent or no-cache).

    >>> _max_age("max-age=600, public"), _max_age("no-cache, max-age=600"), _max_age("")
    ('600', '', '')
    """
    directives = [d.strip().lower() for d in cache_control.split(",")]
    if any(d in ("no-cache", "no-store") for d in directives):
        return ""
    for directive in directives:
        key, _, value = directive.partition("=")
        if key == "max-age" and value.strip().isdigit():
            return value.strip()
    return ""


def _read_meta(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}  # a broken cache is only a lost optimisation: fetch afresh
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
