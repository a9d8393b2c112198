"""Popular packages as targets: the "top PyPI packages" JSON (file or URL), or a bundled list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ReserverError
from .index.http_cache import ConditionalCache
from .names.normalize import canonicalize, name_problem
from .names.targets import POPULAR, Target, harm_from_downloads, harm_from_rank

if TYPE_CHECKING:
    import httpx  # imported where a URL is fetched: a popularity FILE needs no httpx

BUNDLED = "bundled"
DEFAULT_TIMEOUT = 30.0


class PopularityError(ReserverError):
    """The popularity data could not be fetched or read."""


@dataclass(frozen=True)
class Popular:
    """One project of a popularity list."""

    project: str
    rank: int
    """1 for the most downloaded."""
    downloads: int | None = None
    """Downloads over the list's window; None for the bundled list (ranks only)."""


def parse_top_packages(data: Any, source: str) -> list[Popular]:
    """Rows of ``{"rows": [{"project", "download_count"}]}``, most downloaded first.

    Invalid project names are refused with the row number: a list that is wrong in one
    place is not trusted in the others.
    """
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise PopularityError(f'{source}: not a top-packages list (no "rows" list)')
    rows: list[tuple[int, str]] = []
    for number, row in enumerate(data["rows"], 1):
        if not isinstance(row, dict) or not isinstance(row.get("project"), str):
            raise PopularityError(f"{source}: row {number} has no project name")
        count = row.get("download_count", 0)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise PopularityError(f"{source}: row {number} has a bad download_count {count!r}")
        problem = name_problem(row["project"])
        if problem is not None:
            raise PopularityError(f"{source}: row {number}: {problem}")
        rows.append((count, row["project"]))
    rows.sort(key=lambda item: (-item[0], canonicalize(item[1])))
    return _dedupe([Popular(name, 0, count) for count, name in rows])


def _dedupe(items: list[Popular]) -> list[Popular]:
    seen: set[str] = set()
    result: list[Popular] = []
    for item in items:
        key = canonicalize(item.project)
        if key not in seen:
            seen.add(key)
            result.append(Popular(item.project, len(result) + 1, item.downloads))
    return result


#: The bundled list: the 10,000 most downloaded projects of a dated "top PyPI packages"
#: snapshot (its header names the source; benchmarks/refresh_corpus.py rewrites it).
BUNDLED_TOP = "data/top-pypi-10000.txt"


def bundled_popular() -> list[Popular]:
    """The bundled top 10,000 of a dated "top PyPI packages" snapshot, most downloaded first
    (ranks only: the file keeps names, see its header for the source and date). The same
    list is check's and watch's default corpus."""
    text = resources.files("reserver").joinpath(BUNDLED_TOP).read_text(encoding="utf-8")
    names = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    return _dedupe([Popular(name, 0) for name in names])


def _load_json(body: bytes, source: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise PopularityError(f"{source}: not JSON ({str(exc).splitlines()[0]})") from None


def fetch_popular(
    url: str,
    cache_dir: Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
) -> list[Popular]:
    """Download a top-packages JSON, reusing a cached copy while fresh or on a 304."""
    import httpx

    cache = ConditionalCache(cache_dir, "popularity", url)
    kept = cache.fresh()
    if kept is not None:
        return parse_top_packages(_load_json(kept[0], url), url)
    headers = {"Accept": "application/json", **cache.validators()}
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=True) as client:
            response = client.get(url, headers=headers)
    except httpx.TimeoutException:
        raise PopularityError(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise PopularityError(f"{url}: cannot fetch popularity data ({exc})") from None
    reused = cache.reuse(response)
    if reused is not None:
        return parse_top_packages(_load_json(reused[0], url), url)
    if response.status_code != 200:
        raise PopularityError(f"{url}: answered {response.status_code} {response.reason_phrase}")
    result = parse_top_packages(_load_json(response.content, url), url)
    cache.store(response)
    return result


def load_popular(source: str | None, cache_dir: Path | None = None) -> list[Popular]:
    """Popularity from ``source`` (a file path or an http(s) URL), or the bundled list."""
    if source is None or source == BUNDLED:
        return bundled_popular()
    if source.startswith(("http://", "https://")):
        return fetch_popular(source, cache_dir)
    path = Path(source)
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise PopularityError(f"{path}: no such popularity file") from None
    except OSError as exc:
        raise PopularityError(f"{path}: cannot read popularity file ({exc.strerror})") from None
    return parse_top_packages(_load_json(body, str(path)), str(path))


def _harms(popular: list[Popular]) -> list[float]:
    """Each project's harm: from downloads against the most downloaded, else from rank."""
    most = max((p.downloads or 0 for p in popular), default=0)
    return [
        round(
            harm_from_downloads(item.downloads, most)
            if item.downloads is not None and most > 0
            else harm_from_rank(item.rank),
            4,
        )
        for item in popular
    ]


def popular_targets(popular: list[Popular], top: int) -> list[Target]:
    """The first ``top`` projects as targets, harm from downloads (or rank when unknown)."""
    if top <= 0:
        raise PopularityError("--top must be a positive number")
    harms = _harms(popular)
    return [
        Target(item.project, POPULAR, harm, item.downloads)
        for item, harm in zip(popular[:top], harms, strict=False)
    ]


def stdlib_demand(popular: list[Popular]) -> tuple[dict[str, float], float]:
    """How often each standard-library name is asked of pip, as harms on the popular
    projects' scale (see :func:`reserver.names.targets.stdlib_targets`): the harm of every
    listed project by canonical name, and that of the least popular one for the rest."""
    harms = _harms(popular)
    by_name = {canonicalize(item.project): harm for item, harm in zip(popular, harms, strict=True)}
    return by_name, min(harms, default=harm_from_rank(1))
