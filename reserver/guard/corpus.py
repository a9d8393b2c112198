"""The popular names ``check`` and ``watch`` protect: a file given by the user, or the
bundled top 10,000 of a dated download snapshot."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .._files import load_json, read_text_file
from ..errors import ReserverError, excerpt
from ..names.normalize import is_valid_name

logger = logging.getLogger(__name__)


class CorpusError(ReserverError):
    """A corpus file is missing or not a list of names."""


def load_corpus(path: Path) -> list[str]:
    """Names in popularity order from a "top PyPI packages" JSON or a one-name-a-line file.

    Blank lines and ``#`` comments are skipped in text files. A line may carry a download
    count after its name (a tab, a comma or spaces between), as the bundled list does, so
    a copy of that file edited for an organisation reads back; the count is not needed, the
    file's order is the popularity order.
    """
    from ..targets.popularity import split_count

    text = read_text_file(path, "corpus file", CorpusError)
    if text.lstrip().startswith("{"):
        return _from_json(path, text)
    names: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _ = split_count(line)
        if not is_valid_name(name):
            raise CorpusError(f"{path}:{number}: not a package name: {excerpt(line)}")
        names.append(name)
    if not names:
        raise CorpusError(f"{path}: the corpus is empty")
    return names


def _from_json(path: Path, text: str) -> list[str]:
    # The engine's reader of the same format (--top, --popularity), so check protects
    # exactly the names the engine would accept from this file, in the same order.
    from ..targets.popularity import PopularityError, parse_top_packages

    try:
        data = load_json(text, str(path), CorpusError)
        names = [item.project for item in parse_top_packages(data, str(path))]
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    except PopularityError as exc:
        raise CorpusError(str(exc)) from None
    if not names:
        raise CorpusError(f"{path}: the corpus is empty")
    return names


def corpus_from(source: str, cache_dir: Path | None = None) -> list[str]:
    """Names in popularity order from ``source``: a file (see :func:`load_corpus`) or the
    http(s) URL of a "top PyPI packages" JSON, fetched once and revalidated from the cache."""
    if not source.startswith(("http://", "https://")):
        names = load_corpus(Path(source))
    else:
        from ..targets.popularity import fetch_popular

        names = [item.project for item in fetch_popular(source, cache_dir)]
        if not names:
            raise CorpusError(f"{source}: the corpus is empty")
    logger.info("popular names: %d from %s", len(names), source)
    return names


def default_corpus() -> list[str]:
    """The bundled top 10,000 (``reserver.targets.popularity``), most downloaded first: the corpus
    the quality figures of ``check`` were measured with (benchmarks/bench_check.py).
    ``--corpus`` gives a newer snapshot or an organisation's own list."""
    from ..targets.popularity import BUNDLED_TOP, bundled_popular

    names = [item.project for item in bundled_popular()]
    logger.info("popular names: the bundled top %d (reserver/%s)", len(names), BUNDLED_TOP)
    return names
