"""Characters that read alike at a glance: the one look-alike table of the model.

Single characters (``l``/``1``/``i``, ``o``/``0``) are what PyPI's "too similar" rule folds;
the pairs (``rn``/``m``, ``vv``/``w``, ``cl``/``d``) are what a reader's eye merges in a
sans-serif font. Both directions are listed, so generation and explanation use one table.
"""

from __future__ import annotations

from functools import cache

_PAIRS: tuple[tuple[str, str], ...] = (
    ("l", "1"),
    ("l", "i"),
    ("i", "1"),
    ("o", "0"),
    ("rn", "m"),
    ("vv", "w"),
    ("cl", "d"),
    ("nn", "m"),
)

#: (written, read as) in both directions.
LOOKALIKES: tuple[tuple[str, str], ...] = tuple(
    pair for a, b in _PAIRS for pair in ((a, b), (b, a))
)


#: The look-alikes of more than one character ("rn" read as "m"): not a one-letter edit, two
#: slips apart.
GROUP_LOOKALIKES: tuple[tuple[str, str], ...] = tuple(
    (a, b) for a, b in LOOKALIKES if len(a) > 1 or len(b) > 1
)


@cache
def single_lookalikes() -> frozenset[frozenset[str]]:
    """Pairs of single characters that look alike.

    >>> frozenset("l1") in single_lookalikes(), frozenset("ab") in single_lookalikes()
    (True, False)
    """
    return frozenset(frozenset((a, b)) for a, b in _PAIRS if len(a) == len(b) == 1)


def is_lookalike(a: str, b: str) -> bool:
    """True when the characters ``a`` and ``b`` look alike.

    >>> is_lookalike("o", "0"), is_lookalike("e", "c")
    (True, False)
    """
    return frozenset((a, b)) in single_lookalikes()
