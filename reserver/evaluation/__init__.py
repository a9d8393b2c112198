"""Evaluation: how the engine does against the world. ``squats`` measures a plan against
real, past typosquats; ``hits`` reads which kinds of typo caught real people (the stats
service's feed).

May import: ``errors``, ``_files``, the name engine and ``selection/``.
"""
