"""The guard: the name engine run the other way, to catch look-alikes before they are used.

``check`` reads dependency files and flags names that look like typos of popular packages;
``watch`` reports new registrations on an index that look like typos of protected names;
``export`` turns a plan or the ledger into lists administrators can prohibit.
"""

from __future__ import annotations

from .check import CheckReport, check
from .detect import Detector, Policy
from .model import Dependency, Finding, Location, Match

__all__ = [
    "CheckReport",
    "Dependency",
    "Detector",
    "Finding",
    "Location",
    "Match",
    "Policy",
    "check",
]
