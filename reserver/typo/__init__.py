"""The typo model: one fitted account of how package names are mistyped and imitated.

Generation (which names an attacker would register for a target), detection (is this
dependency a look-alike of a popular project), ``watch`` and ``evaluate`` all ask this one
model. It has one vocabulary of edit kinds (:mod:`.kinds`), one keyboard table
(:mod:`.keyboard`), one look-alike table (:mod:`.lookalikes`), one affix lexicon and one
set of weights, fitted from real attacks by :mod:`.fit` and loaded from ``weights.json``.

The package is pure (no network, no disk but its own weights file) and imports nothing from
reserver but :mod:`reserver.names.normalize`, so it could be lifted out.
"""

from __future__ import annotations

from .edits import Edit, explain
from .model import TypoModel, default_model

__all__ = ["Edit", "TypoModel", "default_model", "explain"]
