"""A selection's rows as plan entries."""

from __future__ import annotations

from dataclasses import replace

from .._gcpause import collector_paused
from ..names.rules import (
    BLOCKED,
    TAKEN,
)
from ..names.targets import (
    INTERNAL,
)
from ..plan.model import PlanEntry, engine_entry, entry_for
from .model import Selection


def to_plan_entries(selection: Selection, include_skipped: bool = True) -> list[PlanEntry]:
    """Plan entries for every row (internal names get the dependency-confusion message).

    Blocked and taken rows are kept (``include_skipped``) so they can be exported to
    administrators; ``Plan.buildable()`` leaves them out of builds.
    """
    entries: list[PlanEntry] = []
    with collector_paused():
        for row in selection.names:
            if row.status in (BLOCKED, TAKEN) and not include_skipped:
                continue
            if row.category in ("stdlib", "removed"):
                base = entry_for(row.name)
                entries.append(
                    replace(
                        base, kind=row.kind, score=row.score, status=row.status, reason=row.reason
                    )
                )
            else:
                target = None if row.category == INTERNAL else row.target
                entries.append(
                    engine_entry(
                        row.name, target, row.category, row.kind, row.score, row.status, row.reason
                    )
                )
    return entries
