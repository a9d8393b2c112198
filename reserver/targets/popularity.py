"""Popular packages as targets: the "top PyPI packages" JSON (file or URL), or a bundled list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import MAX_FILE_BYTES, load_json, read_bytes_file
from ..errors import ReserverError, excerpt
from ..index.http_cache import Cached, ConditionalCache
from ..names.normalize import canonicalize, first_of_each, name_problem
from ..names.stdlib import import_counts, standard_dropins
from ..names.targets import POPULAR, Target, demand_from_use, harm_from_downloads

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
    """Downloads over the list's window; None when the list gives none."""


def parse_top_packages(data: Any, source: str) -> list[Popular]:
    """Rows of ``{"rows": [{"project", "download_count"}]}``, most downloaded first.

    The one reader of this format: ``--top``/``--popularity`` and ``check --corpus`` alike.
    Invalid project names are refused with the row number: a list that is wrong in one
    place is not trusted in the others. A list without any ``download_count`` is taken in
    its own order (a hand-made ranking), with no counts.
    """
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise PopularityError(f'{source}: not a top-packages list (no "rows" list)')
    rows: list[tuple[int | None, str]] = []
    for number, row in enumerate(data["rows"], 1):
        if not isinstance(row, dict) or not isinstance(row.get("project"), str):
            raise PopularityError(f"{source}: row {number} has no project name")
        count = row.get("download_count")
        if "download_count" in row and (
            not isinstance(count, int) or isinstance(count, bool) or count < 0
        ):
            raise PopularityError(
                f"{source}: row {number} has a bad download_count {excerpt(count)}"
            )
        problem = name_problem(row["project"])
        if problem is not None:
            raise PopularityError(f"{source}: row {number}: {problem}")
        rows.append((count, row["project"]))
    if any(count is not None for count, _ in rows):
        rows.sort(key=lambda item: (-(item[0] or 0), canonicalize(item[1])))
        return _ranked([Popular(name, 0, count or 0) for count, name in rows])
    return _ranked([Popular(name, 0, None) for _, name in rows])


def _ranked(items: list[Popular]) -> list[Popular]:
    """Each project once (its first row), ranked 1, 2, ... in that order."""
    unique = first_of_each(items, lambda item: item.project)
    return [Popular(item.project, rank, item.downloads) for rank, item in enumerate(unique, 1)]


#: The bundled list: the 10,000 most downloaded projects of a dated "top PyPI packages"
#: snapshot (its header names the source; benchmarks/refresh_corpus.py rewrites it).
BUNDLED_TOP = "data/top-pypi-10000.txt"
#: A name and its download count on one line of a text list (the bundled list's
#: "name<TAB>count"; a comma or spaces separate them as well).
_COUNTED = re.compile(r"([^\t ,]+)[\t ,]+(\d+)")


def split_count(line: str) -> tuple[str, int | None]:
    """A text list's (stripped) line as its name and download count; the whole line and
    None when it carries no count.

    >>> split_count("boto3\t1880218825"), split_count("requests")
    (('boto3', 1880218825), ('requests', None))
    """
    counted = _COUNTED.fullmatch(line)
    return (counted.group(1), int(counted.group(2))) if counted else (line, None)


def bundled_popular() -> list[Popular]:
    """The bundled top 10,000 of a dated "top PyPI packages" snapshot, most downloaded first,
    with their download counts (see the file's header for the source and date). The same
    list is check's and watch's default corpus."""
    return list(_bundled())


@cache
def _bundled() -> tuple[Popular, ...]:
    text = resources.files("reserver").joinpath(BUNDLED_TOP).read_text(encoding="utf-8")
    rows: list[Popular] = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, count = split_count(line.strip())
            rows.append(Popular(name, 0, count))
    return tuple(_ranked(rows))


def _load_json(body: bytes, source: str) -> Any:
    try:
        return load_json(body, source, PopularityError)
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
    cache = ConditionalCache(cache_dir, "popularity", url)
    answer = cache.fetch(lambda validators: _get(url, validators, timeout, transport))
    if isinstance(answer, Cached):
        return parse_top_packages(_load_json(answer.body, url), url)
    if answer.status_code != 200:
        raise PopularityError(f"{url}: answered {answer.status_code} {answer.reason_phrase}")
    result = parse_top_packages(_load_json(answer.content, url), url)
    cache.store(answer)
    return result


def _get(
    url: str, validators: dict[str, str], timeout: float, transport: httpx.BaseTransport | None
) -> httpx.Response:
    import httpx

    headers = {"Accept": "application/json", **validators}
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=True) as client:
            return client.get(url, headers=headers)
    except httpx.TimeoutException:
        raise PopularityError(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise PopularityError(f"{url}: cannot fetch popularity data ({exc})") from None


def load_popular(source: str | None, cache_dir: Path | None = None) -> list[Popular]:
    """Popularity from ``source`` (a file path or an http(s) URL), or the bundled list."""
    if source is None or source == BUNDLED:
        return bundled_popular()
    if source.startswith(("http://", "https://")):
        return fetch_popular(source, cache_dir)
    path = Path(source)
    body = read_bytes_file(path, "popularity file", PopularityError, MAX_FILE_BYTES)
    return parse_top_packages(_load_json(body, str(path)), str(path))


def _harms(popular: list[Popular]) -> list[float]:
    """Each project's harm: its downloads against the most downloaded (linear, see
    :func:`reserver.names.targets.harm_from_downloads`). A list without counts is given the
    bundled snapshot's counts at the same ranks, a measured curve: no simple formula fits
    it over all ranks (a power law fitted to the snapshot's ranks 1-15,000 has slope -1.89,
    one fitted to its first 1,000 slope -1.02)."""
    most = max((p.downloads or 0 for p in popular), default=0)
    if most > 0:
        return [round_harm(harm_from_downloads(item.downloads or 0, most)) for item in popular]
    curve = [p.downloads or 0 for p in _bundled()]
    return [
        round_harm(harm_from_downloads(curve[min(item.rank, len(curve)) - 1], curve[0]))
        for item in popular
    ]


def round_harm(harm: float) -> float:
    """Four significant digits: harms span six orders of magnitude.

    >>> round_harm(0.000123456), round_harm(1.0)
    (0.0001235, 1.0)
    """
    return float(f"{harm:.4g}")


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
    projects' scale (see :func:`reserver.names.targets.stdlib_targets`), and the harm of the
    least popular listed project, for names with no evidence at all.

    Measured: the harm of the listed project of the same name, or for a removed module that
    of its drop-in ("standard-telnetlib" is installed by people whose code still imports
    telnetlib). Predicted, for the other modules some widely used project imports: from
    how many import them (:func:`reserver.names.targets.demand_from_use`)."""
    harms = _harms(popular)
    by_name = {canonicalize(item.project): harm for item, harm in zip(popular, harms, strict=True)}
    floor = min(harms, default=1.0)
    uses = import_counts()
    demand = dict(by_name)
    # Only the same-name projects calibrate the line: a drop-in is installed for code that
    # still imports a removed module, a demand no count of today's imports can show.
    same_name = {m: by_name[key] for m in uses if (key := canonicalize(m)) in by_name}
    for module, harm in demand_from_use(same_name, uses, floor).items():
        demand[canonicalize(module)] = round_harm(harm)
    for module, dropin in standard_dropins().items():
        key = canonicalize(module)
        if key not in by_name and canonicalize(dropin) in by_name:
            demand[key] = by_name[canonicalize(dropin)]
    return demand, floor
