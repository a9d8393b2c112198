"""The pure name engine: normalisation, validation, fuzzers, registry rules and ranking.

Nothing in this package touches the network or the disk, and it imports nothing from the
rest of reserver but ``errors`` and the typo model (``typo/``, which in turn uses
:mod:`.normalize`): the two are the pure core, liftable and testable on their own.
"""
