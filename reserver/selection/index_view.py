"""The target index as a selection sees it: its names, its registry rules, and per-name
look-ups when it has no listing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ReserverError
from ..index.listing import NameLookup, names_of
from ..index.registries import profile_for_index
from ..names.normalize import canonicalize, is_valid_name
from ..names.rules import (
    EMPTY,
    FREE,
    TAKEN,
    UNCHECKED,
    KnownNames,
    RegistryProfile,
    canonical_status,
    name_status,
    profile_named,
)
from .model import SelectionRequest

DEFAULT_INDEX = "https://pypi.org/simple/"
#: Runs with at most this many targets may fall back to per-name look-ups.
SMALL_RUN = 10
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexView:
    """What a run knows of the target index: its names, its rules, and how it was asked."""

    known: KnownNames
    profile: RegistryProfile
    index: str | None
    """URL or file consulted; None when offline."""
    lookup: NameLookup | None = None
    """Per-name look-ups, when the index has no listing and the run is small."""

    def status(self, name: str, valid: bool = False) -> tuple[str, str]:
        """``(status, reason)`` of one name on this index (``valid``: known to be valid)."""
        if not valid and not is_valid_name(name):
            return name_status(name, self.profile, self.known)
        return self.canonical_status()(canonicalize(name))

    def canonical_status(self) -> Callable[[str], tuple[str, str]]:
        """:meth:`status` for valid canonical names, as one function bound to this index."""
        listed = canonical_status(self.profile, self.known)
        lookup = self.lookup
        if lookup is None:
            return listed

        def looked_up(name: str) -> tuple[str, str]:
            status, why = listed(name)
            if status == UNCHECKED:
                return (
                    (TAKEN, "exists on the index")
                    if lookup.exists(name)
                    else (FREE, "not on the index")
                )
            return status, why

        return looked_up


def resolve_index(request: SelectionRequest, targets: int = 0) -> IndexView:
    """Read the listing the request names (file, URL, or none when offline) and its rules.

    An index that does not list its projects is asked name by name, but only for runs of
    at most ``SMALL_RUN`` targets.
    """
    if request.offline and request.index is not None:
        raise ReserverError("--offline and --index exclude each other")
    index = None if request.offline else (request.index or DEFAULT_INDEX)
    try:
        profile = profile_named(request.registry) if request.registry else profile_for_index(index)
    except ValueError as exc:
        raise ReserverError(str(exc)) from None
    logger.info("registry rules: %s", profile.name)
    if index is None:
        logger.info("offline: no index asked, names are unchecked")
        return IndexView(EMPTY, profile, None)
    known, lookup = names_of(index, request.cache_dir, ask_each=targets <= SMALL_RUN)
    return IndexView(known, profile, index, lookup)
