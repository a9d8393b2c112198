"""The pure name engine: normalisation, validation, fuzzers, registry rules and ranking.

Nothing in this package touches the network or the disk, and nothing here imports from
the rest of reserver, so it can be lifted out and tested on its own.
"""
