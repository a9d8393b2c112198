"""The fitted weights of the typo model, as read from ``weights.json``.

Every number in the file sits next to what it was fitted on (``n``, the data, the method):
``benchmarks/fit_typo_model.py`` writes it, nothing else does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Weights:
    """What the model needs to price a name, fitted from real squats."""

    kind_share: dict[str, float]
    """P(kind): the share of real squats made by each kind of edit."""
    position: dict[str, dict[str, float]]
    """Per letter kind, a factor per position (first, middle, last): observed share over
    the share of opportunities there."""
    relation: dict[str, dict[str, float]]
    """Per letter kind, a factor per key relation (neighbour, vowel, digit, other, doubled)."""
    affixes: dict[str, float]
    """``prefix:WORD`` / ``suffix:WORD`` -> P(this affix | an affix squat)."""
    registry_affixes: dict[str, float]
    """``prefix:WORD`` / ``suffix:WORD`` -> P(this word | an affix squat with a word no
    attacker was seen to use): the affix mass Good-Turing leaves to unseen words, spread
    over the words registry names most often start or end with."""
    popular_affix: float
    """P(the added word is another popular project's name | an affix squat)."""
    glued: float
    """P(an added word is glued on without a separator | an affix squat)."""
    adjacent_swap: float
    """P(two neighbouring words swapped | a word-order squat of three or more words)."""
    detection: dict[str, float]
    """Detection terms: ``slope`` of ``check``'s score, ``threshold:FAMILY:BAND`` per segment
    and ``threshold`` for segments without one."""
    log_ratio: dict[str, float]
    """Detection's evidence per feature: log P(feature | attack) / P(feature | legitimate)."""
    raw: dict[str, Any]
    """The whole file, provenance included."""


def default_weights_path() -> Path:
    """The weights file shipped with reserver."""
    return Path(str(resources.files("reserver").joinpath("typo/weights.json")))


def parse_weights(data: dict[str, Any]) -> Weights:
    """Weights from the parsed JSON of a weights file."""
    return Weights(
        kind_share={k: float(v["share"]) for k, v in data["kinds"].items()},
        position={k: dict(v["position"]) for k, v in data["letter"].items()},
        relation={k: dict(v["relation"]) for k, v in data["letter"].items()},
        affixes={k: float(v) for k, v in data["affixes"]["words"].items()},
        registry_affixes={
            k: float(v) * float(data["affixes"]["unseen_share"])
            for k, v in data["affixes"]["registry"]["words"].items()
        },
        popular_affix=float(data["affixes"]["popular_name"]),
        glued=float(data["affixes"]["glued"]),
        adjacent_swap=float(data["words"]["adjacent_swap"]["share"]),
        detection={k: float(v) for k, v in data["detection"]["terms"].items()},
        log_ratio={k: float(v) for k, v in data["detection"].get("log_ratio", {}).items()},
        raw=data,
    )


@cache
def load_weights(path: Path | None = None) -> Weights:
    """Read a weights file (the shipped one by default)."""
    source = path or default_weights_path()
    return parse_weights(json.loads(source.read_text(encoding="utf-8")))
