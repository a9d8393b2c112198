"""Keyboard layouts as key positions: the one keyboard table of which keys a finger slips onto."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

# Each row as typed without shift, and how far it is shifted right in key widths: the
# stagger decides which keys touch diagonally.
_ROWS: dict[str, tuple[tuple[str, float], ...]] = {
    "qwerty": (("1234567890-", 0.0), ("qwertyuiop", 0.5), ("asdfghjkl", 0.75), ("zxcvbnm", 1.25)),
    "qwertz": (("1234567890", 0.0), ("qwertzuiop", 0.5), ("asdfghjkl", 0.75), ("yxcvbnm", 1.25)),
    "azerty": (("1234567890", 0.0), ("azertyuiop", 0.5), ("qsdfghjklm", 0.75), ("wxcvbn", 1.25)),
}
#: Keys whose centres are at most this far apart (in key widths) are neighbours.
_NEIGHBOUR_DISTANCE = 1.3


@dataclass(frozen=True)
class Layout:
    """Where each key of one keyboard layout sits."""

    name: str
    positions: dict[str, tuple[float, float]]

    def distance(self, a: str, b: str) -> float:
        """Distance between two keys in key widths; infinite when either is not on the layout.

        >>> round(QWERTY.distance("q", "w"), 2)
        1.0
        """
        pa, pb = self.positions.get(a), self.positions.get(b)
        if pa is None or pb is None:
            return math.inf
        return math.hypot(pa[0] - pb[0], pa[1] - pb[1])


def _layout(name: str) -> Layout:
    positions: dict[str, tuple[float, float]] = {}
    for row_index, (keys, offset) in enumerate(_ROWS[name]):
        for column, key in enumerate(keys):
            positions[key] = (column + offset, float(row_index))
    return Layout(name, positions)


QWERTY = _layout("qwerty")
QWERTZ = _layout("qwertz")
AZERTY = _layout("azerty")
LAYOUTS: dict[str, Layout] = {"qwerty": QWERTY, "qwertz": QWERTZ, "azerty": AZERTY}


@cache
def keyboard_neighbours(layout: str = "qwerty") -> dict[str, tuple[tuple[str, float], ...]]:
    """For each key, its neighbours and their closeness (1.0 beside it, less diagonally,
    much less between letters and digits).

    >>> [k for k, _ in keyboard_neighbours()["s"]]
    ['a', 'd', 'e', 'w', 'x', 'z']
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown keyboard layout {layout!r} (known: {', '.join(LAYOUTS)})")
    board = LAYOUTS[layout]
    result: dict[str, tuple[tuple[str, float], ...]] = {}
    for key in board.positions:
        near = []
        for other in board.positions:
            if other == key:
                continue
            dist = board.distance(key, other)
            if dist <= _NEIGHBOUR_DISTANCE:
                # A letter slipping onto the number row (or back) is rare: the hand must reach.
                reach = 0.4 if key.isdigit() != other.isdigit() else 1.0
                near.append((other, round(reach / max(dist, 1.0), 3)))
        result[key] = tuple(sorted(near))
    return result


@cache
def _neighbour_sets(layouts: tuple[str, ...]) -> dict[str, frozenset[str]]:
    merged: dict[str, set[str]] = {}
    for layout in layouts:
        for key, near in keyboard_neighbours(layout).items():
            merged.setdefault(key, set()).update(other for other, _ in near)
    return {key: frozenset(near) for key, near in merged.items()}


def are_neighbours(a: str, b: str, layouts: tuple[str, ...] = ("qwerty",)) -> bool:
    """True when keys ``a`` and ``b`` touch on any of ``layouts``.

    >>> are_neighbours("e", "r"), are_neighbours("e", "d"), are_neighbours("e", "p")
    (True, True, False)
    >>> are_neighbours("z", "u"), are_neighbours("z", "u", ("qwerty", "qwertz"))
    (False, True)
    """
    return b in _neighbour_sets(layouts).get(a, frozenset())


def neighbours_of(key: str, layouts: tuple[str, ...] = ("qwerty",)) -> frozenset[str]:
    """Every key touching ``key`` on any of ``layouts`` (letters, digits and ``-``)."""
    return _neighbour_sets(layouts).get(key, frozenset())
