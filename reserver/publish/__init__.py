"""Publishing built placeholders to an index: the batch uploader, its ledger, pacing and
the index checks.

May import: ``errors``, ``_files``, ``_closing``, ``_rates``, the name engine, ``index/``,
``plan/`` and ``placeholder/``.
"""
