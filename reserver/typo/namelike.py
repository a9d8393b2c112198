"""How much a string looks like a package name: a letter-trigram model of the registry.

A legitimate project near a popular one is usually a word of its own (``identity`` beside
``identify``, ``scheduler`` beside ``schedule``); a slip of the fingers breaks the word
(``matplotlig``, ``py-cofrd``). Detection weighs how much less name-like the typed name is
than the one it resembles: the difference of their log-probabilities under trigram counts of
every name in the registry (``benchmarks/fit_typo_model.py`` counts them and writes
``trigrams.tsv.gz``; its header says from what).
"""

from __future__ import annotations

import gzip
import math
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

#: Letters, digits, and the start and end marks: the alphabet a compact name is spelt in.
_ALPHABET_SIZE = 38
#: Add-k smoothing of unseen trigrams. 0.5 (Jeffreys) rather than fitted: it only orders
#: strings containing trigrams the registry never used, which all land in the lowest band.
_SMOOTHING = 0.5
_START, _END = "^^", "$"


def _padded(name: str) -> str:
    return _START + name.replace("-", "").replace("_", "").replace(".", "") + _END


def count_trigrams(names: Iterable[str]) -> Counter[str]:
    """Trigram counts of compact names, with two start marks and one end mark."""
    counts: Counter[str] = Counter()
    for name in names:
        text = _padded(name)
        counts.update(text[i - 2 : i + 1] for i in range(2, len(text)))
    return counts


class NameLikeness:
    """Log-probability of a compact name under trigram counts."""

    def __init__(self, trigrams: dict[str, int]) -> None:
        self._trigrams = trigrams
        contexts: Counter[str] = Counter()
        for trigram, count in trigrams.items():
            contexts[trigram[:2]] += count
        self._contexts = contexts

    def log_prob(self, name: str) -> float:
        """Natural-log probability of ``name`` (separators ignored).

        >>> model = default_namelike()
        >>> model.log_prob("requests") > model.log_prob("reqxests")
        True
        """
        text = _padded(name)
        total = 0.0
        for i in range(2, len(text)):
            count = self._trigrams.get(text[i - 2 : i + 1], 0)
            context = self._contexts.get(text[i - 2 : i], 0)
            total += math.log((count + _SMOOTHING) / (context + _SMOOTHING * _ALPHABET_SIZE))
        return total


def default_trigrams_path() -> Path:
    """The trigram counts shipped with reserver."""
    return Path(str(resources.files("reserver").joinpath("typo/trigrams.tsv.gz")))


def write_counts(path: Path, counts: Counter[str], source: str) -> None:
    """Write counts as ``key<TAB>count`` lines under a ``#`` header naming the source (the
    trigram counts here, and the word counts of :mod:`reserver.typo.vocabulary`).

    Gzip with mtime 0 and no file name, so the same counts give the same bytes."""
    lines = [f"# {line}" for line in source.splitlines()]
    lines += [f"{key}\t{count}" for key, count in sorted(counts.items())]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as f:
        f.write(data)


def read_counts(path: Path) -> dict[str, int]:
    """Counts written by :func:`write_counts`."""
    # One split of the whole text, not a loop over lines: ``check`` reads two such files on
    # every start (both files, median of 15: 68 ms as a loop, 39 ms so).
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    start = 0
    while text.startswith("#", start):
        start = text.index("\n", start) + 1
    body = text[start:].strip("\n")
    if not body:
        return {}
    fields = body.replace("\n", "\t").split("\t")
    return dict(zip(fields[::2], map(int, fields[1::2]), strict=True))


@cache
def default_namelike() -> NameLikeness:
    """The model of the shipped counts (read once)."""
    return NameLikeness(read_counts(default_trigrams_path()))
