"""``watch``: report new registrations on an index that look like typos of protected names.

Each run reads the index's whole listing in one request, compares it with the listing saved
in a state file by the previous run, and checks only the names that are new. The state is
saved after findings are delivered, so a failed webhook means the next run reports again
instead of never.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from .._files import load_json, read_text_file, write_atomic
from ..errors import ReserverError, shorten
from ..index.listing import MAX_LISTING_BYTES, Listing, fetch_listing, load_listing_file
from ..typo.kinds import describe
from .detect import Detector
from .model import Finding

STATE_FORMAT = "reserver-watch/1"

logger = logging.getLogger(__name__)


class WatchError(ReserverError):
    """The state file is unusable or the findings could not be delivered."""


class WebhookError(WatchError):
    """The webhook refused the findings; the state was kept so the next run reports again."""

    def __init__(self, message: str, result: WatchResult | None = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class WatchState:
    """What the previous run saw."""

    index: str
    names: frozenset[str]
    """PEP 503 normalised names of every project listed."""
    updated: float
    serial: int | None = None
    """The listing's PEP 691 ``_last-serial``, when the index sent one."""


@dataclass(frozen=True)
class WatchResult:
    """One run: what was new, and which of the new names look like typosquats."""

    index: str
    new_names: tuple[str, ...]
    findings: tuple[Finding, ...]
    first_run: bool
    """True when there was no previous listing: everything is the baseline, nothing new."""
    listed: int


def load_state(path: Path) -> WatchState | None:
    """The saved state, None when there is none yet; WatchError when it is not ours.

    The file is a JSON header line followed by one normalised name per line: a PyPI-sized
    listing (900,000 names) loads and saves in a fraction of a second that way.
    """
    try:
        if not path.exists():
            return None
    except OSError:
        pass  # a name too long for the file system: reading it says so in one line
    # The state holds one name a line of a listing: it is as large as the listing may be.
    text = read_text_file(path, "watch state", WatchError, MAX_LISTING_BYTES)
    header_line, _, body = text.partition("\n")
    try:
        header = load_json(header_line, f"{path}:1", WatchError)
    except json.JSONDecodeError:
        raise WatchError(f"{path}:1: not a reserver watch state (bad header)") from None
    if not isinstance(header, dict) or header.get("format") != STATE_FORMAT:
        raise WatchError(f"{path}: not a reserver watch state (expected {STATE_FORMAT!r})")
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    try:
        count = int(header["count"])
        serial = header.get("serial")
        index = header["index"]
        if not isinstance(index, str):
            raise TypeError("index is not a string")
        state = WatchState(
            index, frozenset(lines), float(header["updated"]),
            None if serial is None else int(serial),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise WatchError(f"{path}:1: malformed watch state header ({shorten(str(exc))})") from None
    if count != len(lines):
        # A truncated file would make every missing name look new: refuse it instead.
        raise WatchError(f"{path}: watch state is truncated ({len(lines)} of {count} names)")
    return state


def save_state(path: Path, state: WatchState) -> None:
    _write_state(path, state.index, state.updated, list(state.names), state.serial)


def _write_state(
    path: Path, index: str, updated: float, names: Sequence[str], serial: int | None = None
) -> None:
    header: dict[str, object] = {
        "format": STATE_FORMAT, "index": index, "updated": updated, "count": len(names),
    }  # fmt: skip
    if serial is not None:
        header["serial"] = serial
    body = "\n".join(names) + "\n" if names else ""
    write_atomic(path, (json.dumps(header) + "\n" + body).encode())


def canonicalize_all(names: Sequence[str]) -> list[str]:
    """PEP 503 forms of many names at once: a few C-level passes over one joined string,
    instead of a regular expression per name.

    >>> canonicalize_all(["Foo_Bar", "a.-_b", "baz"])
    ['foo-bar', 'a-b', 'baz']
    """
    if not names:
        return []
    joined = "\n".join(names).replace("_", "-").replace(".", "-")
    while "--" in joined:
        joined = joined.replace("--", "-")
    return joined.lower().split("\n")


def new_names(previous: frozenset[str], current: Sequence[str]) -> tuple[list[str], list[str]]:
    """Names in ``current`` not in ``previous`` (as listed, each project once), and all of
    ``current`` normalised.

    >>> new_names(frozenset({"requests"}), ["Requests", "reqeusts"])[0]
    ['reqeusts']
    """
    keys = canonicalize_all(current)
    # One pass of C-level membership tests; a set of the whole listing is never built.
    positions = [i for i, key in enumerate(keys) if key not in previous]
    seen: set[str] = set()
    added: list[str] = []
    for i in positions:
        if keys[i] not in seen:  # report each project once, however it is spelled
            seen.add(keys[i])
            added.append(current[i])
    return added, keys


def read_listing(index: str) -> Listing:
    """The listing of an index URL (one request), or of a saved listing file."""
    path = Path(index)
    if "://" not in index and path.exists():
        return load_listing_file(path)
    return fetch_listing(index)


def watch_once(
    index: str,
    state_path: Path,
    detector: Detector,
    *,
    webhook: str | None = None,
    listing: Callable[[str], Listing] = read_listing,
    clock: Callable[[], float] = time.time,
) -> WatchResult:
    """One run: read, diff, check the new names, deliver, then remember the listing."""
    previous = load_state(state_path)
    if previous is not None and previous.index != index:
        raise WatchError(
            f"{state_path}: this state belongs to {previous.index}, not {index}; "
            "use one state file per index"
        )
    current = listing(index)
    if previous is not None and previous.serial is not None and current.serial == previous.serial:
        # The index says nothing changed since the last run (PEP 691 _last-serial).
        logger.info("%s: serial %d, as at the last run: nothing new", index, current.serial)
        return WatchResult(index, (), (), False, len(previous.names))
    added, normalised = new_names(
        previous.names if previous is not None else frozenset(), current.names
    )
    listed = len(normalised)
    first_run = previous is None
    findings: list[Finding] = []
    if not first_run:
        logger.info("%s: new since the last run: %d", index, len(added))
        for name in added:
            logger.info("new: %s", name)
        findings = [Finding(match) for match in detector.check_many(added)]
    result = WatchResult(index, tuple(added) if not first_run else (), tuple(findings),
                         first_run, listed)  # fmt: skip
    if findings and webhook:
        try:
            post_webhook(webhook, result)
        except WebhookError as exc:
            raise WebhookError(str(exc), result) from None
        logger.info("sent %d findings to the webhook", len(findings))
    _write_state(state_path, index, clock(), normalised, current.serial)
    logger.info("%s: remembered %d names for the next run", state_path, listed)
    return result


def webhook_payload(result: WatchResult) -> dict[str, object]:
    """JSON for a webhook; ``text`` makes it a valid Slack (and Mattermost) message."""
    lines = [f"reserver watch: {len(result.findings)} new look-alike name(s) on {result.index}"]
    lines += [
        f"- {f.name} looks like {describe(f.kind)} {f.target} ({f.kind}, score {f.score:.2f})"
        for f in result.findings
    ]
    return {
        "text": "\n".join(lines),
        "index": result.index,
        "findings": [f.to_dict() for f in result.findings],
    }


def post_webhook(url: str, result: WatchResult, timeout: float = 10.0) -> None:
    """POST the findings; any failure is a WatchError (and the state is not advanced)."""
    try:
        response = httpx.post(url, json=webhook_payload(result), timeout=timeout)
    except httpx.HTTPError as exc:
        raise WebhookError(f"webhook {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 300:
        raise WebhookError(
            f"webhook {url}: answered {response.status_code}; the findings will be sent again"
        )


def watch_detector(
    corpus: Sequence[str], protected: Sequence[str] = (), allow: Iterable[str] = ()
) -> Detector:
    """Targets for ``watch``: the names you protect first (treated as most popular), then
    the popular corpus."""
    return Detector([*protected, *corpus], allow)
