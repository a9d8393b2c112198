"""Placeholder packages: the message, the rendered files, the sdist, its validation, and the
build of a whole plan (``build``).

May import: ``errors``, ``_files``, the name engine and ``plan/``.
"""
