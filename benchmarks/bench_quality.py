"""Recall on real PyPI typosquats: reserver at several budgets against TypoSnyper and dnstwist.

Run: .venv/bin/python benchmarks/bench_quality.py [--dataset CSV]

A squat counts as covered when the method's names for its target include it, or when the
registry (PyPI rules) refuses it anyway. TypoSnyper's five checks are re-implemented here as
generators (the names each check would flag); dnstwist's full fuzzer output is used as is
(install ``dnstwist`` into the venv for this benchmark only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from itertools import permutations
from pathlib import Path

from reserver.evaluation.squats import (
    Evaluation,
    default_dataset,
    evaluate,
    evaluate_sets,
    load_dataset,
    split_dataset,
)
from reserver.names.normalize import canonicalize, is_valid_name
from reserver.typo.keyboard import keyboard_neighbours

REPETITIONS = 3


def typosnyper_map() -> dict[str, set[str]]:
    """A keyboard-and-look-alike substitution map in the spirit of TypoSnyper's."""
    mapping = {k: {n for n, _ in v if n != "-"} for k, v in keyboard_neighbours("qwerty").items()}
    for a, b in (("l", "1"), ("l", "i"), ("i", "1"), ("o", "0")):
        mapping.setdefault(a, set()).add(b)
        mapping.setdefault(b, set()).add(a)
    return mapping


TYPO_MAP = typosnyper_map()


def typosnyper_names(target: str) -> set[str]:
    """Every name TypoSnyper's five checks would flag as a typo of ``target``."""
    name = canonicalize(target)
    out: set[str] = set()
    for i in range(len(name)):
        out.add(name[: i + 1] + name[i:])  # repeated character
        out.add(name[:i] + name[i + 1 :])  # omitted character
        if i + 1 < len(name):
            out.add(name[:i] + name[i + 1] + name[i] + name[i + 2 :])  # swapped characters
        for sub in TYPO_MAP.get(name[i], ()):  # common typos
            out.add(name[:i] + sub + name[i + 1 :])
    words = name.split("-")
    if 1 < len(words) <= 5:
        out.update("-".join(p) for p in permutations(words))  # swapped words
    return {n for n in out if n and is_valid_name(n) and canonicalize(n) != name}


def dnstwist_names(target: str) -> set[str]:
    """dnstwist's full variant set for ``target`` (as ``target.com``), as project names."""
    import dnstwist

    fuzzer = dnstwist.Fuzzer(canonicalize(target) + ".com")
    fuzzer.generate()
    out = set()
    for entry in fuzzer.domains:
        domain = entry["domain"]
        label = domain[: -len(".com")] if domain.endswith(".com") else domain.rsplit(".", 1)[0]
        if is_valid_name(label) and canonicalize(label) != canonicalize(target):
            out.add(canonicalize(label))
    return out


def timed(function: Callable[[str], Iterable[str]], targets: list[str]) -> tuple[float, float]:
    """Median seconds per target over the repetitions, and mean names per target."""
    times, sizes = [], []
    for _ in range(REPETITIONS):
        start = time.perf_counter()
        sizes = [len(set(function(t))) for t in targets]
        times.append((time.perf_counter() - start) / len(targets))
    return statistics.median(times), statistics.mean(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=default_dataset())
    parser.add_argument("--split", default="validation", help="validation (default), train, all")
    args = parser.parse_args()
    attacks = split_dataset(load_dataset(args.dataset), args.split)
    targets = sorted({a.target for a in attacks})
    rows: list[tuple[str, float, float, Evaluation]] = []
    typo = evaluate_sets(attacks, typosnyper_names, "TypoSnyper, all 5 checks")
    t_seconds, t_size = timed(typosnyper_names, targets)
    try:
        dns = evaluate_sets(attacks, dnstwist_names, "dnstwist, full set")
        d_seconds, d_size = timed(dnstwist_names, targets)
    except ImportError:
        print("dnstwist is not installed: .venv/bin/pip install dnstwist", file=sys.stderr)
        dns = None
    for budget in (10, 25, 50, 100, 300, None):
        start = time.perf_counter()
        result = evaluate(attacks, budget)
        elapsed = (time.perf_counter() - start) / len(attacks)
        size = float(budget) if budget else float("nan")
        rows.append((result.label, size, elapsed, result))
    rows.append((typo.label, t_size, t_seconds, typo))
    if dns is not None:
        rows.append((dns.label, d_size, d_seconds, dns))
    print(
        f"Real PyPI typosquats: {len(attacks)} squats of {len(targets)} targets "
        f"({args.dataset.name}); covered = reserved or refused by PyPI's rules\n"
    )
    print("| method | names per target | recall | vs TypoSnyper | vs dnstwist | s per target |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, size, seconds, result in rows:
        vs_typo = result.share / typo.share if typo.share else float("nan")
        vs_dns = result.share / dns.share if dns is not None and dns.share else float("nan")
        size_text = "all" if size != size else f"{size:.0f}"
        print(
            f"| {label} | {size_text} | {result.share:.1%} | {vs_typo:.2f} | {vs_dns:.2f} "
            f"| {seconds:.4f} |"
        )
    print(
        f"\n({args.split} split: the typo model's weights were fitted on the train split "
        "only, whose targets are disjoint from the validation split's)\n"
    )
    for label, _, _, result in rows:
        missed = ", ".join(f"{o.attack.squat} ({o.kind})" for o in result.missed())
        print(f"- {label} missed: {missed or 'nothing'}")


if __name__ == "__main__":
    main()
