"""Fit the typo model's weights and write reserver/typo/weights.json.

Run: .venv/bin/python benchmarks/fit_typo_model.py [--check-only]

Data (all in the repository, sources in benchmarks/data/README.md and the CSV's header):
- reserver/data/typosquats.csv, TRAIN split only (reserver.evaluation.squats.split_dataset): real
  squats with their targets. The validation split is never read here.
- benchmarks/data/malicious-pypi-names.csv: what attackers register. Unlabelled; a name is
  used when it is explained as one edit or one affix of a top-3,000 project of 6+ letters.
- benchmarks/data/top-pypi-packages-30-days.min.json: popularity ranks; its ranks 10,001-15,000
  split in two by hash, the first half calibrates check's threshold (the second half is what
  bench_check reports on).

- benchmarks/data/pypi-names.txt.gz: the registry's names, less the malicious ones: the
  background of legitimate near-misses, and the trigram counts (reserver/typo/trigrams.tsv.gz)
  that say how name-like a name is.

Everything the script decides is printed and written beside the number in the JSON.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from reserver.evaluation.squats import default_dataset, load_dataset, split_dataset
from reserver.names.import_names import IMPORT_TO_DISTRIBUTION
from reserver.names.normalize import canonicalize
from reserver.typo import fit
from reserver.typo.edits import compact
from reserver.typo.kinds import IMPORT_NAME, LETTER_KINDS, LOOKALIKE, SEPARATOR
from reserver.typo.namelike import (
    NameLikeness,
    count_trigrams,
    default_trigrams_path,
    write_counts,
)
from reserver.typo.vocabulary import KEPT_FROM, default_vocabulary_path
from reserver.typo.weights import default_weights_path, parse_weights

HERE = Path(__file__).parent
DATA = HERE / "data"
#: Only popular projects are matched to unlabelled malicious names: a near-miss of an
#: obscure name is as likely a coincidence as an attack.
MALICIOUS_TOP = 3000
#: Shorter targets are one edit from too many unrelated names to count as evidence.
MALICIOUS_MIN_LETTERS = 6
TWO_EDIT_MIN_LETTERS = 9
POPULARITY_LIMITS = (100, 1000, 3000, 10000, 15000, 1_000_000)
#: Words that are another popular project's name pool into one class (popular names joined).
POPULAR_TOP = 200
#: Registry words kept as the prior of affix words not seen in attacks: the 100 commonest
#: ends hold 22% of all ends of names of two or more words; the next 100 add 5 points.
REGISTRY_AFFIXES = 100


def read_top() -> list[str]:
    rows = json.loads((DATA / "top-pypi-packages-30-days.min.json").read_text())["rows"]
    return [canonicalize(r["project"]) for r in rows]


def read_malicious() -> list[str]:
    with (DATA / "malicious-pypi-names.csv").open(newline="") as f:
        return [canonicalize(r["name"]) for r in csv.DictReader(f)]


def match_malicious(names: list[str], top: list[str]) -> list[tuple[str, str]]:
    """Pair each malicious name with the popular project it is one edit or one affix of."""
    head = list(top[:MALICIOUS_TOP])
    keys = [compact(t) for t in head]
    popular = set(top)
    pairs = []
    for name in names:
        if name in popular:
            continue
        key = compact(name)
        found = None
        for _, distance, index in process.extract(
            key, keys, scorer=OSA.distance, score_cutoff=2, limit=3
        ):
            letters = len(keys[index])
            # Two edits only on long names, where two slips rarely land on a real word.
            if (distance == 1 and letters >= MALICIOUS_MIN_LETTERS) or (
                distance == 2 and letters >= TWO_EDIT_MIN_LETTERS
            ):
                found = head[index]
                break
        if found is None and "-" in name:
            words = sorted(name.split("-"))
            for target in head:
                tw = target.split("-")
                # The same words in another order, or one word of a long name left out.
                if len(tw) > 1 and (
                    sorted(tw) == words
                    or (
                        len(tw) == len(words) + 1
                        and any(sorted(tw[:i] + tw[i + 1 :]) == words for i in range(len(tw)))
                    )
                ):
                    found = target
                    break
        if found is None:
            words = name.split("-")
            for target in head:
                if len(compact(target)) < 4:
                    continue
                tw = target.split("-")
                n = len(tw)
                if len(words) > n and (words[:n] == tw or words[-n:] == tw):
                    found = target
                    break
        if found is not None:
            pairs.append((name, found))
    return pairs


def open_name_evidence(malicious: list[str]) -> tuple[list[str], list[str]]:
    """Malicious names that are separator or look-alike variants of a standard-library
    module's name (PyPI allows those: a module is no project), and those that are one letter
    slip of one (5+ letters, same first letter): how often attackers use each where both
    are open to them."""
    from reserver.names.normalize import ultranormalize
    from reserver.names.stdlib import all_stdlib_names
    from reserver.typo.edits import explain

    modules = {
        canonicalize(m) for m in all_stdlib_names() if "." not in m and not m.startswith("_")
    }
    ultra = {ultranormalize(m) for m in modules}
    visual, slips = [], []
    for name in sorted(set(malicious) - modules):
        if ultranormalize(name) in ultra:
            visual.append(name)
            continue
        for module in sorted(modules):
            if len(module) >= 5 and abs(len(name) - len(module)) <= 1 and name[0] == module[0]:
                edit = explain(name, module)
                if edit is not None and edit.kind in LETTER_KINDS:
                    slips.append(name)
                    break
    return visual, slips


def in_half(name: str, half: int) -> bool:
    """Deterministic halves of a list by the name's hash (0: calibration, 1: report)."""
    return hashlib.sha256(name.encode()).digest()[0] % 2 == half


def calibrated_kinds(weights: dict[str, Any], feed: Path) -> dict[str, Any]:
    """The kind shares of ``weights`` calibrated to a hits feed, with its provenance."""
    from reserver.evaluation.hits import parse_feed, shares
    from reserver.typo import TypoModel

    hits = parse_feed(feed.read_text(encoding="utf-8"), str(feed))
    total = sum(h.hits for h in hits)
    rows = shares(hits, TypoModel(parse_weights(weights)), "kind")
    observed = {r.key: r.hits for r in rows if r.expected is not None}
    expected = {r.key: r.expected * total for r in rows if r.expected is not None}
    weights["provenance"]["hits"] = (
        f"{feed.name}: {total} blocked installs on {len(hits)} reserved names; kind shares "
        "multiplied by (observed + 1) / (expected + 1) hits (reserver.typo.fit.calibrate_to_hits)"
    )
    kinds: dict[str, Any] = fit.calibrate_to_hits(weights["kinds"], observed, expected)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=default_weights_path())
    parser.add_argument("--trigrams", type=Path, default=default_trigrams_path())
    parser.add_argument("--vocabulary", type=Path, default=default_vocabulary_path())
    parser.add_argument(
        "--hits",
        type=Path,
        help="a stats service's hits feed (/api/hits or .csv): kind shares are moved "
        "towards what real people's blocked installs showed (fit.calibrate_to_hits)",
    )
    args = parser.parse_args()

    from detection_fit import VOCABULARY_SKIPS_TOP, fit_detection, fit_vocabulary, registry_names

    attacks = load_dataset(default_dataset())
    train = split_dataset(attacks, "train")
    top = read_top()
    rank_of = {name: i for i, name in enumerate(top)}
    malicious = read_malicious()

    train_obs, train_left = fit.observe(((a.squat, a.target) for a in train), "train")
    mal_pairs = match_malicious(malicious, top)
    mal_obs, _ = fit.observe(mal_pairs, "malicious")
    # Import names: a malicious name equal to the import name of a popular distribution.
    imports = {canonicalize(m) for m, d in IMPORT_TO_DISTRIBUTION.items()}
    attackers = set(malicious)
    import_hits = sorted(n for n in attackers if n in imports)
    observations = train_obs + mal_obs

    # Kind shares and letter factors come from the labelled squats alone: the matched
    # malicious names are what attackers register in bulk (mostly doubled and dropped
    # letters), and adding them cost recall at every budget in a 5-fold cross-validation
    # over the train split's targets (19.8% -> 18.5% at 25 names, 59.3% -> 55.3% at 300;
    # benchmarks/bench_generate_cv.py).
    # Their words still feed the affix lexicon, and detection's background.
    # Also measured in the same cross-validation (recall at 100 names: 43.7% of train squats,
    # 63.9% of validation ones with this fit, the affix lexicon refitted per fold without the
    # fold's squats) and not adopted, none beating this fit on both:
    # - how name-like the typed name is (trigram log-probability, 0.05-1 times it, over the
    #   whole list or within a kind): 27.0-43.7% and 30.6-62.3%;
    # - a factor per character slipped in or substituted ("q", "z" in campaigns): 41.0%, 56.8%;
    # - an inserted letter that copies one two places away: 41.8%, 65.0%;
    # - keyboard distance 2 apart from farther keys: 41.8-43.4%, 63.9-65.0%;
    # - a position x relation table instead of the product of the two: 41.0-42.1%, 55.2-59.6%;
    # - each target's squats weighing 1/n or 1/sqrt(n) (kinds, letters or both): 39.7-42.3%,
    #   53.6-64.5%;
    # - the affix share times 2 to 8: 39.9-43.1%, 59.0-62.3%, and no train affix squat among
    #   the first 100 names at any of them. Weighted by the held-out mix (2026-12-01,
    #   bench_generate_filed.py's families): 37.6-35.1% at 100 names against 38.0%, and
    #   50.0-54.8% at 300 against 50.2% (0-3 of the 12 affix squats);
    # - each kind's share times (its family's share of the held-out set / of these
    #   squats), or that to the power 0.5 (affixes up, two slips down): 35.3-36.7% against
    #   38.0% at 100 names in that held-out mix, 51.8-52.6% against 50.2% at 300;
    # - a digit added at the end as a relation of its own ("socks5"): 41.8%, 61.2% (each
    #   target weighing the same: 58.7% against 58.1% at 100 names, 71.4% against 67.1% at
    #   300);
    # - positions second and next-to-last apart from early and late: 40.7-41.3%, 59.6-60.1%;
    # - affix words counted once per target they were added to, mixed with the registry's
    #   name ends (10-100 pseudo-counts), at an affix share of 0.027-0.135: of all 127 affix
    #   squats (labelled and malicious, each target's left out of the lexicon), at most 9% of
    #   targets' among their first 100 names, while letter squats lost 1-8 points.
    generation = fit.fit_generation(train_obs)
    generation["kinds"][IMPORT_NAME]["n"] = len(import_hits)
    shares = fit.price_unmeasurable(generation["kinds"], (IMPORT_NAME,), LETTER_KINDS)
    visual, slips = open_name_evidence(malicious)
    shares = fit.price_from_open_names(
        shares, (SEPARATOR, LOOKALIKE), LETTER_KINDS, len(visual), len(slips)
    )
    affixes = fit.fit_affixes(observations, top, POPULAR_TOP, train_obs)
    legitimate = registry_names(DATA / "pypi-names.txt.gz", set(malicious))
    affixes["registry"] = fit.fit_registry_affixes(legitimate, REGISTRY_AFFIXES)
    popularity = fit.fit_popularity((a.target for a in train), rank_of, POPULARITY_LIMITS)

    weights: dict[str, Any] = {
        "provenance": {
            "fitted_by": "benchmarks/fit_typo_model.py",
            "labelled": f"reserver/data/typosquats.csv, train split: {len(train)} squats of "
            f"{len({a.target for a in train})} targets ({len(train_left)} not explained by any "
            "kind)",
            "unlabelled": f"benchmarks/data/malicious-pypi-names.csv: {len(mal_pairs)} of "
            f"{len(malicious)} names explained as one edit of a top-{MALICIOUS_TOP} project of "
            f"{MALICIOUS_MIN_LETTERS}+ letters (two edits: {TWO_EDIT_MIN_LETTERS}+), as its words "
            "reordered or one left out, or as one with words added",
            "method": "kind shares: labelled squats only, maximum likelihood over the kinds "
            "each target allows (word order needs 2-4 words), add-one smoothed (see "
            "reserver.typo.fit.fit_kind_shares; import_name n: malicious names equal to a "
            "known import name; import_name, which holders own, priced as the mean letter "
            "kind: see reserver.typo.fit.price_unmeasurable; separator and lookalike, which "
            "PyPI refuses for projects, priced from standard-library names, where it allows "
            "them: see reserver.typo.fit.price_from_open_names); position/relation factors, "
            "labelled squats: observed share / share of opportunities on the same targets, add-one "
            "smoothed; word order: share of neighbouring-word swaps among labelled word-order "
            "squats of 3+ words, add-one smoothed; affix words (labelled and unlabelled): "
            "share of affix squats",
        },
        "kinds": shares,
        "letter": generation["letter"],
        "words": generation["words"],
        "affixes": affixes,
        "popularity": popularity,
        "detection": {"terms": {"threshold": 0.0}, "note": "fitted below"},
        "import_names_seen": import_hits,
    }
    # Detection is fitted with the generation weights above in place, and with the trigram
    # counts of the registry's names (malicious ones left out) that say how name-like a
    # name is.

    trigrams = count_trigrams(legitimate)
    write_counts(
        args.trigrams,
        trigrams,
        f"Letter-trigram counts of compact PyPI project names, written by "
        f"benchmarks/fit_typo_model.py.\nFrom benchmarks/data/pypi-names.txt.gz (the registry's "
        f"listing, November 2026) less benchmarks/data/malicious-pypi-names.csv: "
        f"{len(legitimate):,} names; '^^' marks the start, '$' the end.",
    )

    vocabulary = fit_vocabulary(legitimate, top)
    kept = Counter({w: c for w, c in vocabulary.counts.items() if c >= KEPT_FROM})
    write_counts(
        args.vocabulary,
        kept,
        f"How many PyPI project names use each word (words used by {KEPT_FROM}+ names), written "
        f"by benchmarks/fit_typo_model.py.\nFrom benchmarks/data/pypi-names.txt.gz (the "
        f"registry's listing, November 2026) less benchmarks/data/malicious-pypi-names.csv and "
        f"the {VOCABULARY_SKIPS_TOP:,} most downloaded projects: {len(vocabulary.members):,} "
        "names; a name's words are what its canonical form has between '-'.",
    )

    if args.hits is not None:
        weights["kinds"] = calibrated_kinds(weights, args.hits)

    weights["detection"] = fit_detection(
        parse_weights(weights),
        top,
        observations,
        legitimate,
        in_half,
        NameLikeness(dict(trigrams)),
        vocabulary,
    )
    args.output.write_text(json.dumps(weights, indent=1, sort_keys=False) + "\n")
    print(f"wrote {args.output}")
    for kind, row in weights["kinds"].items():
        print(f"  {kind:14} share {row['share']:.4f}  n={row['n']}")
    print("  detection:", weights["detection"]["terms"])


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
