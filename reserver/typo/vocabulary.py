"""How many registry names use a word: a slip makes a word nobody else uses.

A legitimate project near a popular one is usually made of words other projects use too
(``alembic-util`` beside ``alembic-utils``: hundreds of names end in ``util``); a slip of the
fingers makes a word of its own (``gunicorm``, ``py-cird``). Detection weighs, for the words
the typed name has and the target has not, how many registry names use the rarest of them.

The counts (``vocabulary.tsv.gz``, written by ``benchmarks/fit_typo_model.py``; its header
says from what) leave out the 15,000 most downloaded projects and known malicious names. A
name ``check`` meets most often is a popular dependency; if it counted itself, its own words
would read as used by others. Words used by fewer than :data:`KEPT_FROM` names are not kept:
they all fall in the lowest band, with a name that is in the registry counting itself.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable
from functools import cache
from importlib import resources
from pathlib import Path

from .namelike import read_counts

#: Upper ends of the bands of use (names using the word), in decades: the lowest band, up
#: to two, holds a word of the typed name alone and one a registry name shares with itself.
USE_BANDS = (2, 9, 99)
_BAND_NAMES = (*(str(limit) for limit in USE_BANDS), "more")
#: Words used by fewer names than this are not written: they fall in the lowest band anyway.
KEPT_FROM = USE_BANDS[0] + 1


def words_of(canonical: str) -> list[str]:
    """The words of a canonical name (its separators are all '-')."""
    return canonical.split("-")


def count_words(names: Iterable[str]) -> Counter[str]:
    """How many of ``names`` (canonical) use each word, a name counting a word once."""
    counts: Counter[str] = Counter()
    for name in names:
        counts.update(set(words_of(name)))
    return counts


class Vocabulary:
    """Registry word use, and the band of a typed name's new words against its target."""

    def __init__(self, counts: dict[str, int], members: Collection[str] = ()) -> None:
        self.counts = counts
        # The names the counts were made from, when known (the fit): a member's own words
        # are counted without it, as a name check meets is (see the module's docstring).
        self.members = members

    def uses(self, word: str, name: str = "") -> int:
        """How many registry names use ``word``, ``name`` itself left out.

        >>> default_vocabulary().uses("utils") > 1000, default_vocabulary().uses("gunicorm")
        (True, 0)
        """
        count = self.counts.get(word, 0)
        if count and name in self.members and word in words_of(name):
            count -= 1
        return count

    def band(self, typed: str, meant: str) -> str:
        """The band of use of the rarest word ``typed`` has and ``meant`` has not (both
        canonical); the top band when it has no such word (every word is the target's own).

        >>> v = default_vocabulary()
        >>> v.band("gunicorm", "gunicorn"), v.band("alembic-util", "alembic-utils")
        ('2', 'more')
        """
        own = set(words_of(meant))
        fresh = [w for w in words_of(typed) if w not in own]
        if not fresh:
            return _BAND_NAMES[-1]
        rarest = min(self.uses(word, typed) for word in fresh)
        return _BAND_NAMES[bisect_left(USE_BANDS, rarest)]


def default_vocabulary_path() -> Path:
    """The word counts shipped with reserver."""
    return Path(str(resources.files("reserver").joinpath("typo/vocabulary.tsv.gz")))


@cache
def default_vocabulary() -> Vocabulary:
    """The shipped counts (read once)."""
    return Vocabulary(read_counts(default_vocabulary_path()))
