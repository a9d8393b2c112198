"""Standard-library module names across Python versions, from the data stdlib-list ships."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from stdlib_list import short_versions, stdlib_list

from .normalize import canonicalize


@dataclass(frozen=True)
class Replacement:
    """What to use instead of a module that left the standard library."""

    name: str
    """A distribution to install, or a standard-library module to import."""
    in_stdlib: bool
    """True when ``name`` is itself part of the standard library (nothing to install)."""


#: Maintained replacements for modules removed from the standard library (PEP 594 and the
#: Python 2 renames). Only entries we are sure of: a wrong suggestion is worse than none.
REMOVED_REPLACEMENTS: dict[str, Replacement] = {
    "telnetlib": Replacement("telnetlib3", False),
    "smtpd": Replacement("aiosmtpd", False),
    "distutils": Replacement("setuptools", False),
    "cgi": Replacement("legacy-cgi", False),
    "cgitb": Replacement("legacy-cgi", False),
    "audioop": Replacement("audioop-lts", False),
    "imp": Replacement("importlib", True),
    "asyncore": Replacement("asyncio", True),
    "asynchat": Replacement("asyncio", True),
    "pipes": Replacement("shlex", True),
    "urllib2": Replacement("urllib.request", True),
    "urlparse": Replacement("urllib.parse", True),
    "httplib": Replacement("http.client", True),
    "ConfigParser": Replacement("configparser", True),
    "Queue": Replacement("queue", True),
    "cPickle": Replacement("pickle", True),
    "StringIO": Replacement("io", True),
    "cStringIO": Replacement("io", True),
    "Tkinter": Replacement("tkinter", True),
    "SocketServer": Replacement("socketserver", True),
    "HTMLParser": Replacement("html.parser", True),
    "cookielib": Replacement("http.cookiejar", True),
    "commands": Replacement("subprocess", True),
}


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


VERSIONS: tuple[str, ...] = tuple(sorted(short_versions, key=_version_key))
LATEST: str = VERSIONS[-1]


def _with_prefixes(modules: list[str]) -> set[str]:
    names: set[str] = set()
    for module in modules:
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            names.add(".".join(parts[:end]))
    return names


@cache
def modules_in(version: str) -> frozenset[str]:
    """Every module of ``version`` and every dotted prefix of one, case preserved."""
    return frozenset(_with_prefixes(stdlib_list(version)))


@lru_cache(maxsize=1)
def all_stdlib_names() -> frozenset[str]:
    """Every standard-library module or dotted prefix in any covered version."""
    names: set[str] = set()
    for version in VERSIONS:
        names |= modules_in(version)
    return frozenset(names)


@lru_cache(maxsize=1)
def _lowered() -> dict[str, str]:
    return {name.lower(): name for name in all_stdlib_names()}


def stdlib_module(name: str) -> str | None:
    """The standard-library spelling of ``name`` (compared case-insensitively), or None."""
    return _lowered().get(name.lower())


def is_stdlib(name: str) -> bool:
    """True when ``name`` is, or was, a standard-library module or a dotted prefix of one."""
    return stdlib_module(name) is not None


def removed_in(name: str) -> str | None:
    """The first Python version without ``name``, if it once was in the standard library.

    >>> removed_in("telnetlib")
    '3.13'
    """
    module = stdlib_module(name)
    if module is None or module in modules_in(LATEST):
        return None
    last_present = max(
        (v for v in VERSIONS if module in modules_in(v)), key=_version_key, default=None
    )
    if last_present is None:
        return None
    later = [v for v in VERSIONS if _version_key(v) > _version_key(last_present)]
    if last_present.startswith("2."):
        return "3.0"
    return later[0] if later else None


def last_python_with(name: str) -> str | None:
    """The newest Python 3 version whose standard library still has removed module ``name``.

    >>> last_python_with("telnetlib"), last_python_with("urllib2"), last_python_with("os")
    ('3.12', None, None)
    """
    module = stdlib_module(name)
    if module is None or module in modules_in(LATEST):
        return None
    present = [v for v in VERSIONS if module in modules_in(v) and not v.startswith("2.")]
    return max(present, key=_version_key, default=None)


@cache
def standard_dropins() -> dict[str, str]:
    """Removed module -> the PyPI project that redistributes its code unchanged
    (``reserver/data/standard_dropins.csv``, copied from the registry's listing)."""
    text = resources.files("reserver").joinpath("data/standard_dropins.csv").read_text("utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    return dict(tuple(row.split(",", 1)) for row in rows[1:])  # type: ignore[misc]


@cache
def import_counts() -> dict[str, int]:
    """How many of a set of widely used projects import each top-level standard-library
    module (``reserver/data/stdlib_imports.csv``, measured by
    ``benchmarks/measure_stdlib_imports.py``; its header says how many projects were read)."""
    text = resources.files("reserver").joinpath("data/stdlib_imports.csv").read_text("utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {module: int(count) for module, count in (row.split(",", 1) for row in rows[1:])}


def dropin_for(name: str) -> str | None:
    """The drop-in distribution for removed module ``name``, if there is one.

    >>> dropin_for("telnetlib"), dropin_for("imp")
    ('standard-telnetlib', None)
    """
    module = stdlib_module(name)
    return standard_dropins().get(module) if module is not None else None


@cache
def _platforms() -> dict[str, str]:
    # reserver/data/stdlib_platforms.csv: module,platform,source; read from the ":platform:"
    # option of each module's page in CPython's documentation.
    text = resources.files("reserver").joinpath("data/stdlib_platforms.csv").read_text("utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {module: platform for module, platform, _ in (r.split(",", 2) for r in rows[1:])}


def platform_of(name: str) -> str | None:
    """The only platform a standard-library module exists on ("Unix", "Windows"), per
    CPython's documentation, or None for a module every platform has.

    >>> platform_of("pwd"), platform_of("winreg"), platform_of("json")
    ('Unix', 'Windows', None)
    """
    module = stdlib_module(name)
    if module is None:
        return None
    found = _platforms().get(module)
    if found is None:
        return None
    # "Unix, not WASI", "Unix, Windows": the message names only a platform a user can miss.
    first = found.split(",")[0].strip()
    return first if first in ("Unix", "Windows") and "Windows" not in found[len(first) :] else None


def removed_modules() -> dict[str, str]:
    """Top-level modules that left the standard library, with the version that removed them."""
    result: dict[str, str] = {}
    for name in all_stdlib_names():
        if "." in name or name.startswith("_"):
            continue
        version = removed_in(name)
        if version is not None:
            result[name] = version
    return result


@lru_cache(maxsize=1)
def prohibited_stdlib_names() -> frozenset[str]:
    """Canonical forms of every name PyPI refuses as standard library (all versions, prefixes).

    PyPI strips leading and trailing separators and applies PEP 503 before comparing, so
    ``os.path``, ``os-path`` and ``OS_Path`` are all refused.
    """
    return frozenset(canonicalize(name.strip("._-")) for name in all_stdlib_names())


def is_prohibited_stdlib(name: str) -> bool:
    """True when PyPI would refuse ``name`` as a standard-library module or prefix.

    >>> is_prohibited_stdlib("os_path"), is_prohibited_stdlib("requests")
    (True, False)
    """
    return canonicalize(name.strip("._-")) in prohibited_stdlib_names()


@cache
def stdlib_projects() -> frozenset[str]:
    """The standard-library names that are PyPI projects all the same (``asyncio``,
    ``importlib-metadata``): registered before PyPI refused such names, so no new one can
    join them (``reserver/data/stdlib_projects.txt``, from the registry's listing)."""
    text = resources.files("reserver").joinpath("data/stdlib_projects.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def is_module_only(canonical: str) -> bool:
    """True for a standard-library name PyPI has no project of (``telnetlib``, ``socket``):
    nothing on PyPI is "too similar" to it, and an index need not list it.

    >>> is_module_only("telnetlib"), is_module_only("asyncio"), is_module_only("requests")
    (True, False, False)
    """
    return canonical in prohibited_stdlib_names() and canonical not in stdlib_projects()


def stdlib_typo_targets() -> tuple[str, ...]:
    """Top-level public modules of any Python 3: the standard-library names worth typos.

    Private (``_x``) and test modules are left out (nobody types ``pip install _thread``),
    and so are Python 2-only modules: nobody types those any more.
    """
    python3: set[str] = set()
    for version in VERSIONS:
        if version.startswith("3."):
            python3 |= modules_in(version)
    return tuple(
        sorted(
            name
            for name in python3
            if "." not in name
            and not name.startswith("_")
            and not name.startswith("test")
            and name.isascii()
        )
    )


def is_current_stdlib(name: str) -> bool:
    """True when ``name`` is a module of the newest covered Python (nothing to install).

    >>> is_current_stdlib("json"), is_current_stdlib("telnetlib")
    (True, False)
    """
    return name in modules_in(LATEST)
