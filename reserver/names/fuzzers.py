"""One small function per kind of typo: the names a person (or an attacker) makes of a name.

Every fuzzer takes a PEP 503 canonical name (lowercase, ``-`` as the only separator) and
yields ``(variant, edit, weight)``: the variant, a short description of the edit, and how
likely this particular slip is among the fuzzer's own outputs (0 < weight <= 1). Which kinds
are likely at all is the ranking's business (``KIND_PRIOR`` in ``candidates``). Fuzzers may
yield invalid or duplicate names; ``candidates`` filters and deduplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from itertools import permutations

from .keyboards import keyboard_neighbours

Variant = tuple[str, str, float]
Fuzzer = Callable[[str], Iterator[Variant]]
LayoutFuzzer = Callable[[str, str], Iterator[Variant]]

_VOWELS = "aeiou"
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")

#: Prefixes and suffixes people and attackers put on Python names, with how often they do.
PREFIXES: dict[str, float] = {
    "python-": 1.0,
    "py": 0.9,
    "python3-": 0.8,
    "py-": 0.6,
    "python": 0.6,
    "py3-": 0.3,
    "django-": 0.2,
}
SUFFIXES: dict[str, float] = {
    "-python": 0.8,
    "-py": 0.7,
    "py": 0.5,
    "-lib": 0.5,
    "lib": 0.4,
    "-api": 0.4,
    "-sdk": 0.4,
    "-utils": 0.4,
    "-cli": 0.3,
    "-dev": 0.3,
    "-tools": 0.3,
    "-client": 0.3,
    "3": 0.3,
    "-plus": 0.2,
    "-core": 0.2,
    "-lite": 0.2,
}

#: Visual look-alikes: characters or pairs that read the same at a glance.
LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("l", "1"),
    ("l", "i"),
    ("i", "l"),
    ("i", "1"),
    ("1", "l"),
    ("o", "0"),
    ("0", "o"),
    ("rn", "m"),
    ("m", "rn"),
    ("vv", "w"),
    ("w", "vv"),
    ("cl", "d"),
    ("d", "cl"),
    ("nn", "m"),
    ("u", "v"),
    ("v", "u"),
    ("g", "q"),
    ("q", "g"),
    ("e", "c"),
    ("c", "e"),
)

#: Common misspellings and spelling variants of English words found in names (both ways
#: where both spellings are words: colour/color). Word -> what people type instead.
MISSPELLINGS: dict[str, tuple[str, ...]] = {
    "color": ("colour",),
    "colour": ("color",),
    "colors": ("colours",),
    "analyze": ("analyse",),
    "analyse": ("analyze",),
    "serialize": ("serialise",),
    "serializer": ("serialiser",),
    "optimize": ("optimise",),
    "optimizer": ("optimiser",),
    "normalize": ("normalise",),
    "license": ("licence",),
    "center": ("centre",),
    "gray": ("grey",),
    "receive": ("recieve",),
    "separate": ("seperate",),
    "environment": ("enviroment", "enviornment"),
    "dependency": ("dependancy",),
    "dependencies": ("dependancies",),
    "library": ("libary", "librarie"),
    "address": ("adress",),
    "definition": ("defination",),
    "acquisition": ("acqusition", "aquisition"),
    "occurrence": ("occurence",),
    "calendar": ("calender",),
    "parallel": ("paralel", "parrallel"),
    "necessary": ("neccessary",),
    "success": ("sucess",),
    "successful": ("successfull", "sucessful"),
    "argument": ("arguement",),
    "argparse": ("argsparse",),
    "utils": ("util", "utilities", "utilis"),
    "util": ("utils",),
    "tools": ("tool", "toolz"),
    "request": ("reqest",),
    "requests": ("request",),
    "soup": ("soap",),
    "beautiful": ("beatiful", "beautifull"),
    "cryptography": ("cryptograpy",),
    "crypto": ("crypt",),
    "server": ("srv",),
    "client": ("cilent",),
    "python": ("pyhton", "pyton"),
    "json": ("jason",),
    "yaml": ("yml",),
    "matplotlib": ("matplotlip", "mathplotlib"),
    "numpy": ("numphy",),
    "async": ("asynch",),
}

#: Word fragments of package names, used to prefer splitting a name where a word ends.
NAME_WORDS: frozenset[str] = frozenset(
    """
    py python setup tools tool util utils lib libs http https url request requests json yaml
    xml html test tests pytest django flask fast api async io web server client core data
    base auth oauth crypto graph plot math num net socket file path time date parse parser
    config conf log logging mock type types typing ext kit sdk cli db sql my pg redis mongo
    cloud aws azure google boto open cv image img text str string word doc docs simple easy
    super micro mini dev build run job task queue event stream table frame array dict list
    set map key token jwt mail email ssh ftp git hub lab bot telegram discord deep learn ml
    ai torch tensor flow scikit sci kit pandas numpy nose six wheel egg pip env virtual
    color colour term rich click sphinx jinja template cache store storage secret secrets
    soup beautiful markup safe charset normalizer idna cert certifi dateutil pytz zone
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _position_weight(index: int, length: int) -> float:
    # People rarely get the first letter of a name wrong; the last is slightly safer than
    # the middle, where attention drifts.
    if index == 0:
        return 0.5
    if index == length - 1:
        return 0.8
    return 1.0


@cache
def _position_weights(length: int) -> tuple[float, ...]:
    # The same weights as a table: every letter fuzzer looks one up per variant it makes.
    return tuple(_position_weight(i, length) for i in range(length))


@cache
def _substitutions(layout: str) -> dict[str, tuple[tuple[str, float, str], ...]]:
    # Neighbour keys with their closeness and the start of the edit's wording, made once per
    # layout instead of once per variant.
    return {
        key: tuple((other, near, f"{key!r} -> {other!r}") for other, near in keys if other != "-")
        for key, keys in keyboard_neighbours(layout).items()
    }


def deleted_letter(name: str) -> Iterator[Variant]:
    """Leave one letter out: ``"urllib3" -> "urlib3"``; likeliest in a doubled letter."""
    n = len(name)
    weights = _position_weights(n)
    for i, ch in enumerate(name):
        if ch == "-":
            continue
        # Missing one of a pair ("urlib") is the commonest slip of all.
        doubled = (i > 0 and name[i - 1] == ch) or (i + 1 < n and name[i + 1] == ch)
        weight = 1.0 if doubled else 0.85 * weights[i]
        yield name[:i] + name[i + 1 :], f"deleted {ch!r} at {i}", weight


def doubled_letter(name: str) -> Iterator[Variant]:
    """Type one letter twice: ``"requests" -> "reqquests"``."""
    weights = _position_weights(len(name))
    for i, ch in enumerate(name):
        if ch == "-":
            continue
        yield name[: i + 1] + name[i:], f"doubled {ch!r} at {i}", weights[i]


def swapped_letters(name: str) -> Iterator[Variant]:
    """Swap two neighbouring letters: ``"requests" -> "reqeusts"``."""
    n = len(name)
    weights = _position_weights(n)
    for i in range(n - 1):
        a, b = name[i], name[i + 1]
        if a == b or a == "-" or b == "-":
            continue
        weight = weights[i] * weights[i + 1]
        yield name[:i] + b + a + name[i + 2 :], f"swapped {a!r} and {b!r} at {i}", weight


def keyboard_substitution(name: str, layout: str = "qwerty") -> Iterator[Variant]:
    """Hit a neighbouring key instead: ``"requests" -> "rewuests"`` (q -> w)."""
    table = _substitutions(layout)
    weights = _position_weights(len(name))
    for i, ch in enumerate(name):
        for other, closeness, wording in table.get(ch, ()):
            yield (
                name[:i] + other + name[i + 1 :],
                f"{wording} at {i} ({layout})",
                closeness * weights[i],
            )


def keyboard_insertion(name: str, layout: str = "qwerty") -> Iterator[Variant]:
    """Brush a neighbouring key as well: ``"requests" -> "reqwuests"`` (w beside q)."""
    neighbours = keyboard_neighbours(layout)
    weights = _position_weights(len(name))
    for i, ch in enumerate(name):
        for other, closeness in neighbours.get(ch, ()):
            if other == "-":
                continue
            weight = closeness * weights[i]
            yield name[: i + 1] + other + name[i + 1 :], f"{other!r} after {ch!r} at {i}", weight
            yield name[:i] + other + name[i:], f"{other!r} before {ch!r} at {i}", weight * 0.8


def visual_lookalike(name: str) -> Iterator[Variant]:
    """Swap characters that look alike: ``"jellyfish" -> "je1lyfish"``, ``"rn" <-> "m"``."""
    for old, new in LOOKALIKES:
        start = name.find(old)
        while start != -1:
            yield (
                name[:start] + new + name[start + len(old) :],
                f"{old!r} looks like {new!r} at {start}",
                1.0,
            )
            start = name.find(old, start + 1)


def vowel_swap(name: str) -> Iterator[Variant]:
    """Replace a vowel with another: ``"django" -> "djanga"``."""
    weights = _position_weights(len(name))
    for i, ch in enumerate(name):
        if ch not in _VOWELS:
            continue
        weight = weights[i]
        for other in _VOWELS:
            if other != ch:
                yield name[:i] + other + name[i + 1 :], f"{ch!r} -> {other!r} at {i}", weight


def bit_flip(name: str) -> Iterator[Variant]:
    """Flip one bit of one character (memory or transmission error): ``"django" -> "djalgo"``."""
    for i, ch in enumerate(name):
        code = ord(ch)
        for bit in range(7):
            flipped = chr(code ^ (1 << bit))
            if flipped in _NAME_CHARS and flipped != "-":
                yield name[:i] + flipped + name[i + 1 :], f"bit {bit} of {ch!r} at {i}", 1.0


def separator_removed(name: str) -> Iterator[Variant]:
    """Drop a separator between words: ``"python-dateutil" -> "pythondateutil"``."""
    for i, ch in enumerate(name):
        if ch == "-":
            yield name[:i] + name[i + 1 :], f"removed separator at {i}", 1.0
    if name.count("-") > 1:
        yield name.replace("-", ""), "removed every separator", 0.6


def separator_added(name: str) -> Iterator[Variant]:
    """Split a word in two: ``"setuptools" -> "setup-tools"``; likeliest where words meet."""
    for i in range(2, len(name) - 1):
        left, right = name[:i], name[i:]
        if left[-1] == "-" or right[0] == "-":
            continue
        head = left.rsplit("-", 1)[-1]
        tail = right.split("-", 1)[0]
        weight = 1.0 if head in NAME_WORDS or tail in NAME_WORDS else 0.25
        yield f"{left}-{right}", f"separator added at {i}", weight


def separator_moved(name: str) -> Iterator[Variant]:
    """Put a separator one letter off: ``"django-server" -> "djangos-erver"``."""
    for i, ch in enumerate(name):
        if ch != "-":
            continue
        if i >= 2:
            yield (
                name[: i - 1] + "-" + name[i - 1] + name[i + 1 :],
                f"separator moved left at {i}",
                1.0,
            )
        if i + 2 < len(name):
            yield name[:i] + name[i + 1] + "-" + name[i + 2 :], f"separator moved right at {i}", 1.0


def words_swapped(name: str) -> Iterator[Variant]:
    """Put the words in another order: ``"django-server" -> "server-django"``."""
    words = name.split("-")
    if not 2 <= len(words) <= 4:
        return
    for order in permutations(words):
        if list(order) != words:
            yield "-".join(order), "words swapped", 1.0 if len(words) == 2 else 0.5


def words_dropped(name: str) -> Iterator[Variant]:
    """Leave out a word of a long name: ``"django-server-guardian-api" -> "django-server"``."""
    words = name.split("-")
    if len(words) < 2:
        return
    for end in range(len(words) - 1, 0, -1):
        # Dropping the tail is what people do when they shorten a name; the head stays.
        yield "-".join(words[:end]), f"kept the first {end} word(s)", 1.0 if end > 1 else 0.5
    if len(words) > 2:
        for i in range(1, len(words) - 1):
            yield "-".join(words[:i] + words[i + 1 :]), f"dropped word {words[i]!r}", 0.6
    yield "-".join(words[1:]), f"dropped word {words[0]!r}", 0.4


def plural_singular(name: str) -> Iterator[Variant]:
    """Add or drop a plural ending on a word: ``"requests" -> "request"``, ``"attr" -> "attrs"``."""
    words = name.split("-")
    for i, word in enumerate(words):
        # Dropping a plural is a common slip ("request"); adding one to a name that is not
        # an English noun ("numpys") much less so.
        weight = 1.0 if i == len(words) - 1 else 0.6
        forms: list[tuple[str, float]] = []
        if word.endswith("ies") and len(word) > 4:
            forms.append((word[:-3] + "y", weight))
        if word.endswith("es") and len(word) > 4:
            forms.append((word[:-2], weight * 0.6))
        if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            forms.append((word[:-1], weight))
        elif word[-1:].isalpha():
            plural = word + "es" if word.endswith(("s", "x", "ch", "sh")) else word + "s"
            forms.append((plural, weight * 0.5))
            if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
                forms.append((word[:-1] + "ies", weight * 0.2))
        for form, form_weight in forms:
            variant = "-".join([*words[:i], form, *words[i + 1 :]])
            yield variant, f"{word!r} -> {form!r}", form_weight


def version_digit(name: str) -> Iterator[Variant]:
    """Add or change a version digit: ``"requests" -> "requests2"``, ``"urllib3" -> "urllib2"``."""
    last = name[-1]
    if last.isdigit():
        for digit in "0123456789":
            if digit != last:
                weight = 1.0 if abs(int(digit) - int(last)) == 1 else 0.3
                yield name[:-1] + digit, f"version {last} -> {digit}", weight
    else:
        for digit, weight in (("2", 1.0), ("3", 1.0), ("1", 0.4)):
            yield name + digit, f"version {digit} appended", weight
            yield f"{name}-{digit}", f"version -{digit} appended", weight * 0.3


def affix_added(name: str) -> Iterator[Variant]:
    """Add a prefix or suffix Python names often carry: ``"dateutil" -> "python-dateutil"``."""
    for prefix, weight in PREFIXES.items():
        if not name.startswith(prefix):
            yield prefix + name, f"prefix {prefix!r} added", weight
    for suffix, weight in SUFFIXES.items():
        if not name.endswith(suffix):
            yield name + suffix, f"suffix {suffix!r} added", weight


def _strip_affixes(name: str) -> Iterator[tuple[str, str, str, float]]:
    # Only the longest affix on each side counts: "python-x" carries "python-", not "py".
    prefixes = [p for p in PREFIXES if name.startswith(p) and len(name) - len(p) >= 2]
    if prefixes:
        prefix = max(prefixes, key=len)
        yield "prefix", prefix, name[len(prefix) :].lstrip("-"), PREFIXES[prefix]
    suffixes = [s for s in SUFFIXES if name.endswith(s) and len(name) - len(s) >= 2]
    if suffixes:
        suffix = max(suffixes, key=len)
        yield "suffix", suffix, name[: -len(suffix)].rstrip("-"), SUFFIXES[suffix]


def affix_stripped(name: str) -> Iterator[Variant]:
    """Drop the Python affix a name carries: ``"python-dateutil" -> "dateutil"``."""
    for where, affix, rest, weight in _strip_affixes(name):
        yield rest, f"{where} {affix!r} stripped", weight


def affix_swapped(name: str) -> Iterator[Variant]:
    """Trade a Python affix for another: ``"python-dateutil" -> "python3-dateutil"``."""
    for where, affix, rest, weight in _strip_affixes(name):
        others = PREFIXES if where == "prefix" else SUFFIXES
        for other, other_weight in others.items():
            if other == affix:
                continue
            swapped = other + rest if where == "prefix" else rest + other
            yield swapped, f"{where} {affix!r} -> {other!r}", weight * other_weight


def misspelling(name: str) -> Iterator[Variant]:
    """Misspell an English word in the name: ``"colorama" -> "colourama"``."""
    for word, wrongs in MISSPELLINGS.items():
        start = name.find(word)
        if start == -1:
            continue
        for wrong in wrongs:
            variant = name[:start] + wrong + name[start + len(word) :]
            yield variant, f"{word!r} spelt {wrong!r}", 1.0


#: Every fuzzer by kind. A new kind of typo is one function above and one line here.
FUZZERS: dict[str, Fuzzer] = {
    "deleted_letter": deleted_letter,
    "doubled_letter": doubled_letter,
    "swapped_letters": swapped_letters,
    "keyboard_substitution": keyboard_substitution,
    "keyboard_insertion": keyboard_insertion,
    "visual_lookalike": visual_lookalike,
    "vowel_swap": vowel_swap,
    "bit_flip": bit_flip,
    "separator_removed": separator_removed,
    "separator_added": separator_added,
    "separator_moved": separator_moved,
    "words_swapped": words_swapped,
    "words_dropped": words_dropped,
    "plural_singular": plural_singular,
    "version_digit": version_digit,
    "affix_added": affix_added,
    "affix_stripped": affix_stripped,
    "affix_swapped": affix_swapped,
    "misspelling": misspelling,
}

#: Fuzzers that also take a keyboard layout (in FUZZERS they run on QWERTY).
LAYOUT_FUZZERS: dict[str, LayoutFuzzer] = {
    "keyboard_substitution": keyboard_substitution,
    "keyboard_insertion": keyboard_insertion,
}
