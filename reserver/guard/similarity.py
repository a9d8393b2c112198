"""How two package names differ, in the terms a person would use: a swap, a missing letter...

Pure functions over names already reduced to a compact key (lowercase, no separators). They
explain a difference the candidate index has already found; they do not search.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from ..names.normalize import canonicalize

# QWERTY rows with the usual half-key stagger; neighbours are keys whose centres are close.
_ROWS = ("1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_STAGGER = (0.0, 0.5, 0.75, 1.25)

#: Characters that look alike in common fonts, beyond what ``ultranormalize`` folds already.
VISUAL_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    # Leetspeak digits (e/3, a/4) are left out: legitimate names use digits for versions.
    for pair in (("l", "1"), ("i", "1"), ("l", "i"), ("o", "0"))
)  # fmt: skip


@lru_cache(maxsize=1)
def _key_positions() -> dict[str, tuple[float, float]]:
    return {
        key: (float(row), col + _STAGGER[row])
        for row, keys in enumerate(_ROWS)
        for col, key in enumerate(keys)
    }


def keyboard_neighbours(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` sit next to each other on a QWERTY keyboard.

    >>> keyboard_neighbours("e", "r"), keyboard_neighbours("e", "d"), keyboard_neighbours("e", "p")
    (True, True, False)
    """
    positions = _key_positions()
    if a == b or a not in positions or b not in positions:
        return False
    (r1, c1), (r2, c2) = positions[a], positions[b]
    return abs(r1 - r2) <= 1 and abs(c1 - c2) <= 1.0


def compact(name: str) -> str:
    """Lowercase with every separator removed: the form typos are measured on.

    >>> compact("Python_Date.Util")
    'pythondateutil'
    """
    return canonicalize(name).replace("-", "")


def tokens(name: str) -> tuple[str, ...]:
    """The words of a name, split at its separators.

    >>> tokens("python-dateutil")
    ('python', 'dateutil')
    """
    return tuple(canonicalize(name).split("-"))


@dataclass(frozen=True)
class Edit:
    """The single difference between a typed name and the name meant."""

    kind: str
    """transposition, omission, repetition, keyboard, homoglyph, substitution or insertion."""
    position: int
    """Index in the intended (target) key where the difference starts."""
    typed: str
    """The characters typed there ("" for an omission)."""
    meant: str
    """The characters meant there ("" for an insertion)."""

    def describe(self) -> str:
        if self.kind == "transposition":
            return f"swapped {self.meant[0]!r} and {self.meant[1]!r}"
        if self.kind == "omission":
            return f"missing {self.meant!r}"
        if self.kind in ("repetition", "insertion"):
            return f"extra {self.typed!r}"
        return f"{self.typed!r} for {self.meant!r}"


def single_edit(typed: str, meant: str) -> Edit | None:
    """Classify the one edit turning compact key ``meant`` into ``typed``, or None if not one.

    >>> single_edit("reqeusts", "requests").kind
    'transposition'
    >>> single_edit("reqests", "requests").kind, single_edit("requestss", "requests").kind
    ('omission', 'repetition')
    >>> single_edit("requesrs", "requests").kind
    'keyboard'
    """
    if OSA.distance(typed, meant, score_cutoff=1) != 1:
        return None
    lt, lm = len(typed), len(meant)
    i = 0
    while i < min(lt, lm) and typed[i] == meant[i]:
        i += 1
    if lt == lm:
        if i + 1 < lm and typed[i] == meant[i + 1] and typed[i + 1] == meant[i]:
            return Edit("transposition", i, typed[i : i + 2], meant[i : i + 2])
        a, b = typed[i], meant[i]
        if frozenset((a, b)) in VISUAL_PAIRS:
            return Edit("homoglyph", i, a, b)
        kind = "keyboard" if keyboard_neighbours(a, b) else "substitution"
        return Edit(kind, i, a, b)
    if lt == lm - 1:
        return Edit("omission", i, "", meant[i])
    # One character too many: doubled, a neighbour key struck with it, or anything else.
    extra = typed[i]
    around = {c for c in (typed[i - 1] if i > 0 else "", typed[i + 1] if i + 1 < lt else "") if c}
    if extra in around:
        return Edit("repetition", i, extra, "")
    if any(keyboard_neighbours(extra, c) for c in around):
        return Edit("keyboard", i, extra, "")
    return Edit("insertion", i, extra, "")


VOWELS = frozenset("aeiouy")


def typo_like_substitution(typed: str, meant: str) -> bool:
    """True for a replacement people make by accident: a neighbouring key, a look-alike, or
    one vowel for another (the usual misspelling).

    >>> [typo_like_substitution(a, b) for a, b in ("iu", "ou", "ct")]
    [True, True, False]
    """
    return (
        keyboard_neighbours(typed, meant)
        or frozenset((typed, meant)) in VISUAL_PAIRS
        or (typed in VOWELS and meant in VOWELS)
    )


def typo_like_pair(typed: str, meant: str) -> bool:
    """True when ``typed`` is two accidental edits away from ``meant``: each one a slip of
    the kind ``single_edit`` names, a vowel swap, or a missing letter (not the first).

    >>> typo_like_pair("beaitifulsoop", "beautifulsoup"), typo_like_pair("functools", "fonttools")
    (True, False)
    """
    ops = Levenshtein.editops(typed, meant)
    if len(ops) != 2:
        return False
    for op in ops:
        tag, i, j = op.tag, op.src_pos, op.dest_pos
        if j == 0 or i == 0:
            return False
        if tag == "replace":
            if not typo_like_substitution(typed[i], meant[j]):
                return False
        elif tag == "delete":  # a character typed that is not in the name meant
            around = {typed[i - 1], typed[i + 1] if i + 1 < len(typed) else ""}
            if typed[i] not in around and not any(
                keyboard_neighbours(typed[i], c) for c in around if c
            ):
                return False
    return True
