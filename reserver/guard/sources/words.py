"""Splitting a requirements line into words as pip does (``shlex.split``), in linear time.

``shlex`` builds each word a character at a time with ``token = token + char``, which is
quadratic in the word's length: a 1 MB word took 50 s. Here each run of plain characters,
each quoted part and each escape is one regular-expression match, and a word is joined once.
"""

from __future__ import annotations

import re

# The whitespace shlex splits on (not every Unicode space: shlex keeps those in words).
_SPACE = re.compile(r"[ \t\r\n]+")
# One piece of a word. Double quotes are the "unrolled loop" form, which never backtracks.
_PIECE = re.compile(
    r"""[^ \t\r\n'"\\]+            # plain characters
      | '[^']*'                    # single quotes: every character literal
      | "[^"\\]*(?:\\.[^"\\]*)*"   # double quotes: a backslash escapes the next character
      | \\.                        # a backslash outside quotes: the next character, literal
    """,
    re.DOTALL | re.VERBOSE,
)
_ESCAPE_IN_DOUBLE = re.compile(r"\\(.)", re.DOTALL)
_DOUBLE_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)


def split_words(line: str) -> list[str]:
    """The words of ``line`` exactly as ``shlex.split(line, comments=False, posix=True)``
    gives them; ValueError for an unclosed quote or a trailing backslash, as there.

    >>> split_words('''--hash=sha256:ab "a b"c 'd\\\\e' f\\\\ g "h\\\\"i\\\\j"''')
    ['--hash=sha256:ab', 'a bc', 'd\\\\e', 'f g', 'h"i\\\\j']
    >>> split_words('"unclosed')
    Traceback (most recent call last):
    ValueError: No closing quotation
    """
    words: list[str] = []
    pieces: list[str] | None = None  # the word being read, None between words
    position, end = 0, len(line)
    while position < end:
        space = _SPACE.match(line, position)
        if space is not None:
            if pieces is not None:
                words.append("".join(pieces))
                pieces = None
            position = space.end()
            continue
        piece = _PIECE.match(line, position)
        if piece is None:
            raise ValueError(_unsplittable(line, position))
        pieces = [] if pieces is None else pieces
        pieces.append(_unquoted(piece.group()))
        position = piece.end()
    if pieces is not None:
        words.append("".join(pieces))
    return words


def _unquoted(piece: str) -> str:
    first = piece[0]
    if first == "'":
        return piece[1:-1]
    if first == '"':
        # In double quotes only \" and \\ are escapes; any other backslash stays.
        return _ESCAPE_IN_DOUBLE.sub(
            lambda m: m.group(1) if m.group(1) in '"\\' else m.group(0), piece[1:-1]
        )
    if first == "\\":
        return piece[1]
    return piece


def _unsplittable(line: str, position: int) -> str:
    """shlex's words for why the rest of ``line`` from ``position`` cannot be split."""
    if line[position] == "\\":
        return "No escaped character"  # a backslash ending the line
    if line[position] == '"':
        body = _DOUBLE_BODY.match(line, position + 1)
        if body is not None and body.end() == len(line) - 1:
            return "No escaped character"  # ... or ending it inside double quotes
    return "No closing quotation"
