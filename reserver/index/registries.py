"""The registries reserver knows by name: one table of their hosts, their rules and their
simple index. Any other host is a private index (pypiserver, devpi, a proxy).

Choosing the rules, pacing uploads and finding where an upload endpoint lists its projects
all ask this table, so a new host (or a new public registry) is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..names.rules import PRIVATE, PYPI, TESTPYPI, RegistryProfile


@dataclass(frozen=True)
class Registry:
    """A public registry, by every host name it answers on."""

    profile: RegistryProfile
    """What it refuses, and how fast it lets new projects in."""
    simple_url: str
    """Its simple index, where the projects uploaded to any of its hosts are listed."""
    hosts: frozenset[str]
    """Its web, upload, file and legacy host names, lowercase."""


REGISTRIES: tuple[Registry, ...] = (
    Registry(
        PYPI,
        "https://pypi.org/simple/",
        frozenset({"pypi.org", "upload.pypi.org", "pypi.python.org", "files.pythonhosted.org"}),
    ),
    Registry(
        TESTPYPI,
        "https://test.pypi.org/simple/",
        frozenset({"test.pypi.org", "test-files.pythonhosted.org"}),
    ),
)
_BY_HOST = {host: registry for registry in REGISTRIES for host in registry.hosts}


def registry_for(url: str | None) -> Registry | None:
    """The public registry at ``url`` (an index, upload or file URL), None for any other.

    >>> registry_for("https://upload.pypi.org/legacy/").simple_url
    'https://pypi.org/simple/'
    >>> registry_for("http://127.0.0.1:8080/simple/") is None
    True
    """
    if url is None or not url.startswith(("http://", "https://")):
        return None
    return _BY_HOST.get((urlsplit(url).hostname or "").lower())


def profile_for_index(index: str | None) -> RegistryProfile:
    """The rules of the index at URL ``index``; PyPI's when there is no URL (offline, a file).

    >>> profile_for_index("https://test.pypi.org/simple/").name
    'testpypi'
    >>> profile_for_index("http://127.0.0.1:8080/simple/").name
    'private'
    """
    if index is None or not index.startswith(("http://", "https://")):
        return PYPI
    registry = registry_for(index)
    return PRIVATE if registry is None else registry.profile
