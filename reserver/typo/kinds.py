"""The one vocabulary of edit kinds, shared by every output (generate, check, watch, SARIF).

Each kind is one way a name is mistyped or imitated; ``describe`` gives the words a report
uses ("a missing letter of"). A two-step typo is ``two_edits``; its edit text names both.
"""

from __future__ import annotations

OMISSION = "omission"
REPETITION = "repetition"
TRANSPOSITION = "transposition"
SUBSTITUTION = "substitution"
INSERTION = "insertion"
LOOKALIKE = "lookalike"
SEPARATOR = "separator"
AFFIX = "affix"
WORD_ORDER = "word_order"
WORD_DROPPED = "word_dropped"
TWO_EDITS = "two_edits"
IMPORT_NAME = "import_name"

#: Edits of one letter of the name: they share a position model and keyboard terms.
LETTER_KINDS: tuple[str, ...] = (OMISSION, REPETITION, TRANSPOSITION, SUBSTITUTION, INSERTION)

#: Every kind, in the order reports list them.
KINDS: tuple[str, ...] = (
    *LETTER_KINDS,
    LOOKALIKE,
    SEPARATOR,
    AFFIX,
    WORD_ORDER,
    WORD_DROPPED,
    TWO_EDITS,
    IMPORT_NAME,
)

#: How a report names the relation: "<name> looks like <DESCRIPTION> <target>".
DESCRIPTIONS: dict[str, str] = {
    OMISSION: "a missing letter of",
    REPETITION: "a doubled letter of",
    TRANSPOSITION: "two swapped letters of",
    SUBSTITUTION: "a mistyped letter of",
    INSERTION: "an extra letter in",
    LOOKALIKE: "look-alike characters of",
    SEPARATOR: "other separators of",
    AFFIX: "a word added to or swapped in",
    WORD_ORDER: "the words reordered of",
    WORD_DROPPED: "a word left out of",
    TWO_EDITS: "two slips of",
    IMPORT_NAME: "the import name of",
}


def describe(kind: str) -> str:
    """The words for ``kind`` in a sentence.

    >>> describe("omission")
    'a missing letter of'
    """
    return DESCRIPTIONS.get(kind, f"a {kind.replace('_', ' ')} of")
