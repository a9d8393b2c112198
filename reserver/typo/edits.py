"""Explain a typed name as an edit of the name meant, in the model's one vocabulary.

``explain("reqeusts", "requests")`` says *transposition at 3*; the same features (where in
the name, how the keys relate) are what generation enumerates and the weights price, so a
name is scored the same whether it was generated from a target or met in a requirements file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA, DamerauLevenshtein, Editop, Levenshtein

from ..names.normalize import canonicalize
from . import kinds
from .keyboard import are_neighbours
from .lookalikes import GROUP_LOOKALIKES, is_lookalike

VOWELS = frozenset("aeiouy")
#: Characters a letter edit may put into a name (separators are their own kind).
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

# Feature values. Position: where in the name the slip falls.
# Between the ends, the earlier and the later half: real slips fall in the later half twice
# as often as in the earlier (per target, train split: 26 to 10; see weights.json).
FIRST, EARLY, LATE, LAST = "first", "early", "late", "last"
# How the characters relate: keys that touch, vowels for vowels, a digit, anything else;
# for an omission, whether the letter was one of a pair; for an 's' added or dropped at the
# very end, a plural or singular of the name (its own relation: real squats favour it far
# beyond one letter among 36, see weights.json).
NEIGHBOUR, VOWEL, DIGIT, OTHER, DOUBLED = "neighbour", "vowel", "digit", "other", "doubled"
PLURAL = "plural"
# A word-order edit swaps two neighbouring words, or moves them further.
ADJACENT, MOVED = "adjacent", "moved"
# Where an affix goes and whether a separator joins it.
PREFIX, SUFFIX = "prefix", "suffix"


@dataclass(frozen=True)
class Edit:
    """How a typed name differs from the name meant."""

    kind: str
    """One of :data:`reserver.typo.kinds.KINDS`."""
    text: str
    """The edit in words (``swapped 'u' and 'e' at 3``)."""
    position: str = ""
    """first, early, late or last for letter edits; prefix or suffix for an affix; else empty."""
    relation: str = ""
    """neighbour, vowel, digit, doubled, plural or other for letter edits; the affix word for
    an affix; the dropped word; adjacent or moved for a word order; else empty."""
    index: int = -1
    """Index in the meant name's compact key where a letter edit falls (-1 otherwise)."""
    parts: tuple[Edit, ...] = field(default=())
    """The two edits of a ``two_edits``."""


def compact(name: str) -> str:
    """Lowercase with every separator removed: the key letter edits are measured on.

    >>> compact("Python_Date.Util")
    'pythondateutil'
    """
    return canonicalize(name).replace("-", "")


def position_of(index: int, length: int) -> str:
    """first, early, late or last for a character ``index`` of a key ``length`` long.

    >>> [position_of(i, 6) for i in range(6)]
    ['first', 'early', 'early', 'late', 'late', 'last']
    """
    if index <= 0:
        return FIRST
    if index >= length - 1:
        return LAST
    return EARLY if 2 * index < length - 1 else LATE


def pair_position(index: int, length: int) -> str:
    """first, early, late or last for the pair of characters at ``index`` and ``index + 1``.

    >>> [pair_position(i, 6) for i in range(5)]
    ['first', 'early', 'late', 'late', 'last']
    """
    if index <= 0:
        return FIRST
    if index + 2 >= length:
        return LAST
    return EARLY if 2 * index + 1 < length - 1 else LATE


def gap_position(gap: int, length: int) -> str:
    """first, early, late or last for an insertion before character ``gap`` (``length``: at
    the end).

    >>> [gap_position(g, 6) for g in range(7)]
    ['first', 'early', 'early', 'late', 'late', 'late', 'last']
    """
    if gap <= 0:
        return FIRST
    if gap >= length:
        return LAST
    return EARLY if 2 * gap < length else LATE


def substitution_relation(meant: str, typed: str, layouts: tuple[str, ...] = ("qwerty",)) -> str:
    """How a substituted character relates to the one meant (look-alikes are their own kind).

    >>> substitution_relation("q", "w"), substitution_relation("a", "o")
    ('neighbour', 'vowel')
    >>> substitution_relation("y", "6"), substitution_relation("c", "t")
    ('digit', 'other')
    """
    # A digit for a letter is a reach to another row (or a version), not a slip beside it.
    if typed.isdigit() != meant.isdigit():
        return DIGIT
    if are_neighbours(meant, typed, layouts):
        return NEIGHBOUR
    if meant in VOWELS and typed in VOWELS:
        return VOWEL
    return OTHER


def insertion_relation(
    typed: str, left: str, right: str, layouts: tuple[str, ...] = ("qwerty",)
) -> str:
    """How an inserted character relates to the characters around it (a copy is a repetition).

    >>> insertion_relation("w", "q", "u"), insertion_relation("i", "x", "t")
    ('neighbour', 'vowel')
    """
    if typed == "s" and left and not right:
        return PLURAL
    if typed.isdigit():
        return DIGIT
    if (left and are_neighbours(left, typed, layouts)) or (
        right and are_neighbours(right, typed, layouts)
    ):
        return NEIGHBOUR
    if typed in VOWELS:
        return VOWEL
    return OTHER


def omission_relation(meant: str, index: int) -> str:
    """Whether an omitted letter was one of a pair, a vowel, a final 's' or another letter.

    >>> omission_relation("urllib3", 2), omission_relation("requests", 1)
    ('doubled', 'vowel')
    >>> omission_relation("requests", 7)
    'plural'
    """
    ch = meant[index]
    if (index > 0 and meant[index - 1] == ch) or (
        index + 1 < len(meant) and meant[index + 1] == ch
    ):
        return DOUBLED
    if ch == "s" and index == len(meant) - 1:
        return PLURAL
    if ch in VOWELS:
        return VOWEL
    return OTHER


def letter_edit(typed: str, meant: str, layouts: tuple[str, ...] = ("qwerty",)) -> Edit | None:
    """The one letter edit turning compact key ``meant`` into ``typed``, or None.

    >>> letter_edit("reqeusts", "requests").kind
    'transposition'
    >>> letter_edit("reqests", "requests").kind, letter_edit("requestss", "requests").kind
    ('omission', 'repetition')
    >>> e = letter_edit("requesrs", "requests"); (e.kind, e.relation, e.position)
    ('substitution', 'neighbour', 'late')
    >>> letter_edit("co1orama", "colorama").kind
    'lookalike'
    """
    if typed == meant or OSA.distance(typed, meant, score_cutoff=1) != 1:
        return None
    lt, lm = len(typed), len(meant)
    i = 0
    while i < min(lt, lm) and typed[i] == meant[i]:
        i += 1
    if lt == lm:
        if i + 1 < lm and typed[i] == meant[i + 1] and typed[i + 1] == meant[i]:
            return Edit(
                kinds.TRANSPOSITION,
                f"swapped {meant[i]!r} and {meant[i + 1]!r} at {i}",
                pair_position(i, lm),
                "",
                i,
            )
        a, b = meant[i], typed[i]
        where = position_of(i, lm)
        if is_lookalike(a, b):
            return Edit(kinds.LOOKALIKE, f"{b!r} for look-alike {a!r} at {i}", where, "", i)
        relation = substitution_relation(a, b, layouts)
        return Edit(kinds.SUBSTITUTION, f"{b!r} for {a!r} at {i}", where, relation, i)
    if lt == lm - 1:
        # The leftmost differing index; in a run ("urllib") any of the pair was dropped.
        return Edit(
            kinds.OMISSION,
            f"missing {meant[i]!r} at {i}",
            position_of(i, lm),
            omission_relation(meant, i),
            i,
        )
    extra = typed[i]
    left = typed[i - 1] if i > 0 else ""
    right = typed[i + 1] if i + 1 < lt else ""
    if extra in (left, right):
        # Which copy counts as the extra one does not change the name: take the first.
        first = i if extra != left else i - 1
        return Edit(
            kinds.REPETITION, f"doubled {extra!r} at {first}", position_of(first, lm), "", first
        )
    return Edit(
        kinds.INSERTION,
        f"extra {extra!r} at {i}",
        gap_position(i, lm),
        insertion_relation(extra, left, right, layouts),
        i,
    )


def _lookalike_edit(typed: str, meant: str) -> Edit | None:
    for written, read_as in GROUP_LOOKALIKES:  # single characters are letter edits above
        start = meant.find(written)
        while start != -1:
            if meant[:start] + read_as + meant[start + len(written) :] == typed:
                return Edit(kinds.LOOKALIKE, f"{read_as!r} for look-alike {written!r}", index=start)
            start = meant.find(written, start + 1)
    return None


def _transposed(key: str) -> list[tuple[int, str]]:
    return [
        (i, key[:i] + key[i + 1] + key[i] + key[i + 2 :])
        for i in range(len(key) - 1)
        if key[i] != key[i + 1]
    ]


def two_letter_edits(
    typed: str, meant: str, layouts: tuple[str, ...] = ("qwerty",)
) -> tuple[Edit, Edit] | None:
    """The two letter edits turning compact key ``meant`` into ``typed``, or None.

    >>> [e.kind for e in two_letter_edits("beaitifulsoop", "beautifulsoup")]
    ['substitution', 'substitution']
    >>> [e.kind for e in two_letter_edits("skcitlearn", "scikitlearn")]
    ['omission', 'transposition']
    >>> two_letter_edits("requests", "requests") is None
    True
    """
    if abs(len(typed) - len(meant)) > 2:
        return None  # the common case when called on affix pairs: skip the distance
    # Unrestricted Damerau: a swap followed by a slip inside it ("dateutil" -> "dateutli" ->
    # "dateutlki") is two edits, which the optimal-string-alignment distance counts as three.
    if DamerauLevenshtein.distance(typed, meant, score_cutoff=2) != 2:
        return None
    # A transposition on either side, then one edit: Levenshtein's editops cannot say so.
    for _, swapped in _transposed(meant):
        second = letter_edit(typed, swapped, layouts)
        first = letter_edit(swapped, meant, layouts)
        if second is not None and first is not None:
            return first, second
    # ... or one edit, then a transposition ("scikit" -> "sckit" -> "skcit").
    for _, unswapped in _transposed(typed):
        first = letter_edit(unswapped, meant, layouts)
        second = letter_edit(typed, unswapped, layouts)
        if first is not None and second is not None:
            return first, second
    ops = Levenshtein.editops(meant, typed)
    if len(ops) != 2:
        return None
    # Apply the first operation alone, then explain both halves as single edits.
    op = ops[0]
    assert isinstance(op, Editop)
    if op.tag == "replace":
        middle = meant[: op.src_pos] + typed[op.dest_pos] + meant[op.src_pos + 1 :]
    elif op.tag == "delete":
        middle = meant[: op.src_pos] + meant[op.src_pos + 1 :]
    else:
        middle = meant[: op.src_pos] + typed[op.dest_pos] + meant[op.src_pos :]
    first = letter_edit(middle, meant, layouts)
    second = letter_edit(typed, middle, layouts)
    if first is None or second is None:
        return None
    return first, second


def neighbour_swaps(words: list[str]) -> list[list[str]]:
    """``words`` with each pair of neighbours swapped once.

    >>> neighbour_swaps(["a", "b", "c"])
    [['b', 'a', 'c'], ['a', 'c', 'b']]
    """
    return [[*words[:i], words[i + 1], words[i], *words[i + 2 :]] for i in range(len(words) - 1)]


def _word_edit(typed: str, meant: str) -> Edit | None:
    tw, mw = typed.split("-"), meant.split("-")
    if len(tw) > 1 and sorted(tw) == sorted(mw):
        if tw in neighbour_swaps(mw):
            return Edit(kinds.WORD_ORDER, "two neighbouring words swapped", relation=ADJACENT)
        return Edit(kinds.WORD_ORDER, "same words, other order", relation=MOVED)
    # Whole words added at one end; checked first because matching words from both ends
    # would split "python-python-dateutil" around the repeated word and find it "inside".
    if len(tw) > len(mw):
        added = len(tw) - len(mw)
        if tw[: len(mw)] == mw:
            word = "-".join(tw[len(mw) :])
            return Edit(kinds.AFFIX, f"{SUFFIX} {word!r} added", SUFFIX, word)
        if tw[added:] == mw:
            word = "-".join(tw[:added])
            return Edit(kinds.AFFIX, f"{PREFIX} {word!r} added", PREFIX, word)
    # Common words at the start and at the end.
    head = 0
    while head < min(len(tw), len(mw)) and tw[head] == mw[head]:
        head += 1
    tail = 0
    while tail < min(len(tw), len(mw)) - head and tw[len(tw) - 1 - tail] == mw[len(mw) - 1 - tail]:
        tail += 1
    typed_rest = tw[head : len(tw) - tail]
    meant_rest = mw[head : len(mw) - tail]
    if head + tail == 0:
        return None
    if not meant_rest and typed_rest:
        where = SUFFIX if head == len(mw) else PREFIX if tail == len(mw) else "inside"
        if where == "inside":
            return None
        word = "-".join(typed_rest)
        return Edit(kinds.AFFIX, f"{where} {word!r} added", where, word)
    if not typed_rest and meant_rest and len(meant_rest) == 1:
        return Edit(kinds.WORD_DROPPED, f"dropped word {meant_rest[0]!r}", relation=meant_rest[0])
    if (
        len(typed_rest) == 1
        and len(meant_rest) == 1
        and (head == 0 or tail == 0)
        # A word a slip or two away is a typo of it, not another word traded in.
        and OSA.distance(typed_rest[0], meant_rest[0], score_cutoff=2) > 2
    ):
        # One word traded for another at an end (python-dateutil -> python3-dateutil).
        where = PREFIX if head == 0 else SUFFIX
        word = typed_rest[0]
        return Edit(kinds.AFFIX, f"{where} {meant_rest[0]!r} -> {word!r}", where, word)
    return None


GLUED = "glued on"


def is_glued(edit: Edit) -> bool:
    """Whether an affix edit adds its word without a separator ("pyrequests")."""
    return edit.kind == kinds.AFFIX and edit.text.endswith(GLUED)


def _glued_affix(typed: str, meant: str) -> Edit | None:
    tc, mc = typed.replace("-", ""), meant.replace("-", "")
    if len(tc) - len(mc) < 2:
        return None
    if tc.startswith(mc):
        word = tc[len(mc) :]
        return Edit(kinds.AFFIX, f"suffix {word!r} {GLUED}", SUFFIX, word)
    if tc.endswith(mc):
        word = tc[: -len(mc)]
        return Edit(kinds.AFFIX, f"prefix {word!r} {GLUED}", PREFIX, word)
    return None


def word_edit(typed: str, meant: str) -> Edit | None:
    """The edit :func:`explain` finds for two canonical names more than two letter slips
    apart, when it is one of words (added, traded, dropped or reordered) or a word glued on;
    None when it would be another kind, or none.

    >>> word_edit("requests-ssl", "requests").text
    "suffix 'ssl' added"
    """
    return _word_edit(typed, meant) or _glued_affix(typed, meant)


@lru_cache(maxsize=65536)
def explain(typed: str, meant: str, layouts: tuple[str, ...] = ("qwerty",)) -> Edit | None:
    """The edit that turns ``meant`` into ``typed``, or None when no known edit does.

    >>> explain("reqeusts", "requests").kind
    'transposition'
    >>> explain("python3-dateutil", "python-dateutil").text  # the cheapest edit wins
    "extra '3' at 6"
    >>> explain("py-dateutil", "python-dateutil").text
    "prefix 'python' -> 'py'"
    >>> explain("setup-tools", "setuptools").kind, explain("server-django", "django-server").kind
    ('separator', 'word_order')
    >>> explain("requests-ssl", "requests").relation
    'ssl'
    >>> explain("python-python-dateutil", "python-dateutil").text
    "prefix 'python' added"
    >>> explain("numpy", "requests") is None
    True
    """
    t, m = canonicalize(typed), canonicalize(meant)
    if t == m:
        return None
    tc, mc = t.replace("-", ""), m.replace("-", "")
    if tc == mc:
        return Edit(kinds.SEPARATOR, "other separators")
    single = letter_edit(tc, mc, layouts)
    if single is not None:
        return single
    word = _word_edit(t, m)
    if word is not None:
        return word
    glued = _glued_affix(t, m)
    if glued is not None:
        return glued
    look = _lookalike_edit(tc, mc)
    if look is not None:
        return look
    pair = two_letter_edits(tc, mc, layouts)
    if pair is not None:
        return Edit(kinds.TWO_EDITS, f"{pair[0].text}, then {pair[1].text}", parts=pair)
    return None
