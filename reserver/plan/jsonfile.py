"""The plan file: a plan written as JSON, one entry per line, and read back with every field
checked."""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii
from pathlib import Path

from .._files import load_json, nested_deeper, read_text_file, write_atomic
from .._gcpause import collector_paused
from ..errors import PlanError, ReserverError, excerpt
from .holder import Holder
from .model import DEFAULT_VERSION, PLAN_FORMAT, Plan, PlanEntry


def save_plan(plan: Plan, path: Path) -> None:
    """Write the plan atomically, one entry per line: quick to write for 100,000 names, easy
    to review and diff, and a reader never sees a half-written plan."""
    with collector_paused():
        lines = [_entry_line(entry) for entry in plan.entries]
    header = {
        "format": PLAN_FORMAT,
        "version": plan.version,
        "holder": plan.holder.to_dict(),
        "options": plan.options,
    }
    text = json.dumps(header, indent=2)[:-2] + ',\n  "entries": [\n    '
    text += ",\n    ".join(lines) + "\n  ]\n}\n"
    write_atomic(path, text.encode())


_ENTRY_FIELDS = (
    "name",
    "target",
    "category",
    "kind",
    "score",
    "status",
    "reason",
    "removed_in",
    "replacement",
    "replacement_in_stdlib",
)
_encode = json.JSONEncoder().encode


def _entry_line(entry: PlanEntry) -> str:
    """``entry`` as one line of JSON, exactly what ``json.dumps(vars(entry))`` gives.

    Formatted by hand because a plan holds a hundred thousand entries and the generic
    encoder's per-call setup was most of the time to write them; every string still goes
    through the json module's own escaping.
    """
    score = entry.score
    if not math.isfinite(score):
        return _encode(dict(vars(entry)))
    quote = encode_basestring_ascii
    target, removed, replacement = entry.target, entry.removed_in, entry.replacement
    return (
        f'{{"name": {quote(entry.name)}, '
        f'"target": {"null" if target is None else quote(target)}, '
        f'"category": {quote(entry.category)}, "kind": {quote(entry.kind)}, '
        f'"score": {score!r}, "status": {quote(entry.status)}, "reason": {quote(entry.reason)}, '
        f'"removed_in": {"null" if removed is None else quote(removed)}, '
        f'"replacement": {"null" if replacement is None else quote(replacement)}, '
        f'"replacement_in_stdlib": {"true" if entry.replacement_in_stdlib else "false"}}}'
    )


#: Largest plan file read: a plan of 100,000 names is about 25 MiB.
MAX_PLAN_BYTES = 128 * 1024 * 1024


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file; any problem is a PlanError naming the file."""
    text = read_text_file(path, "plan file", PlanError, MAX_PLAN_BYTES)
    try:
        raw = load_json(text, str(path), PlanError)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}: not a plan (invalid JSON at line {exc.lineno})") from None
    if not isinstance(raw, dict) or raw.get("format") != PLAN_FORMAT:
        raise PlanError(f"{path}: not a reserver plan (expected format {PLAN_FORMAT!r})")
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise PlanError(f"{path}: malformed plan ('options' must be an object)")
    if nested_deeper(options):
        # Kept and written again by every rerun: a deep one would overflow that code's stack.
        raise PlanError(f"{path}: malformed plan ('options' nested too deeply)")
    entries, holder = raw.get("entries"), raw.get("holder", {})
    if not isinstance(entries, list) or not all(isinstance(item, dict) for item in entries):
        raise PlanError(f"{path}: malformed plan ('entries' must be a list of objects)")
    if not isinstance(holder, dict):
        raise PlanError(f"{path}: malformed plan ('holder' must be an object)")
    version = raw.get("version", DEFAULT_VERSION)
    if not isinstance(version, str):
        raise PlanError(f"{path}: malformed plan ('version' must be a string)")
    try:
        made = tuple(PlanEntry(**item) for item in entries)
        return Plan(made, Holder(**holder), version, options)
    except ReserverError as exc:
        raise PlanError(f"{path}: {exc}") from None
    except TypeError as exc:
        raise PlanError(f"{path}: malformed plan entry ({excerpt(str(exc), 120)})") from None
