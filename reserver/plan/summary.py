"""What a plan will cost before anything is uploaded: counts, reasons and hours, offline.

A volunteer reads this before a batch that may run for days: how many names go to which
target and kind, how many need nothing (blocked or taken) and why, and how long the uploads
take at the registry's pace for new projects.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..index.registries import profile_for_index
from ..names.rules import PROFILES, PYPI, RegistryProfile
from .model import SKIPPED_STATUSES, Plan

#: How many targets, kinds and reasons a summary names before "N more".
SHOWN = 6
#: How many of the first names to build it lists.
FIRST = 8
# \Z, not $: "$" also matches before a final newline (see the validators' rule).
_QUOTED = re.compile(r" '[^']*'\Z")


@dataclass(frozen=True)
class PlanSummary:
    """The counts a summary prints (see :func:`summarize`)."""

    to_build: int
    by_target: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    skipped: dict[str, list[tuple[str, int]]]
    """status (blocked, taken) -> (reason, count), commonest first."""
    first: list[str]
    profile: RegistryProfile

    @property
    def hours(self) -> float | None:
        """Hours the uploads take at the registry's limit on new projects (None: no limit)."""
        rate = self.profile.new_projects_per_hour
        return self.to_build / rate if rate else None


def named_profile(plan: Plan) -> RegistryProfile | None:
    """The registry a plan was made for with --registry, if it named one."""
    registry = plan.options.get("registry")
    return PROFILES.get(registry) if isinstance(registry, str) else None


def plan_profile(plan: Plan) -> RegistryProfile:
    """The registry a plan was made for: its --registry, else its index's, else PyPI."""
    named = named_profile(plan)
    if named is not None:
        return named
    index = plan.options.get("index")
    return profile_for_index(index) if isinstance(index, str) else PYPI


def summarize(plan: Plan, profile: RegistryProfile | None = None) -> PlanSummary:
    """Count a plan's names by target, kind and (for those not built) reason."""
    build = plan.buildable()
    skipped: dict[str, Counter[str]] = {}
    for entry in plan.entries:
        if entry.status in SKIPPED_STATUSES:
            # "too similar to existing project 'idna'": one reason, whichever project.
            reason = _QUOTED.sub("", entry.reason)
            skipped.setdefault(entry.status, Counter())[reason] += 1
    return PlanSummary(
        to_build=len(build),
        by_target=Counter(e.target or f"({e.category})" for e in build).most_common(),
        by_kind=Counter(e.kind for e in build).most_common(),
        skipped={status: reasons.most_common() for status, reasons in sorted(skipped.items())},
        first=[e.name for e in build[:FIRST]],
        profile=profile or plan_profile(plan),
    )


def _listed(counts: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{label} {n}" for label, n in counts[:SHOWN])
    rest = sum(n for _, n in counts[SHOWN:])
    return shown + (f", {len(counts) - SHOWN} more ({rest})" if rest else "")


def duration(hours: float) -> str:
    """Hours in words: "45 min", "3.5 h", "69 h (2.9 days)".

    >>> duration(0.75), duration(3.5), duration(69.0)
    ('45 min', '3.5 h', '69 h (2.9 days)')
    """
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 24:
        return f"{hours:.1f} h"
    return f"{hours:.0f} h ({hours / 24:.1f} days)"


def render(summary: PlanSummary) -> list[str]:
    """The summary as indented lines, for the terminal."""
    lines = []
    if summary.by_target:
        lines.append(f"  to build, by target: {_listed(summary.by_target)}")
        lines.append(f"  to build, by kind: {_listed(summary.by_kind)}")
    for status, reasons in summary.skipped.items():
        count = sum(n for _, n in reasons)
        lines.append(f"  {status} {count}: {_listed(reasons)}")
    name = summary.profile.name
    if summary.hours is not None:
        rate = summary.profile.new_projects_per_hour
        lines.append(
            f"  uploading {summary.to_build} new projects to {name} at its {rate} an hour "
            f"takes about {duration(summary.hours)}"
        )
    else:
        lines.append(f"  {name} index: no limit on new projects; paced as you choose (--rate)")
    if summary.first:
        more = summary.to_build - len(summary.first)
        lines.append(
            "  first: " + ", ".join(summary.first) + (f" and {more} more" if more > 0 else "")
        )
    return lines
