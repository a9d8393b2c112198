"""The plan: the reviewed list of names to hold (``model``), its JSON file (``jsonfile``),
its summary (``summary``) and who holds the names (``holder``).

May import: ``errors``, ``_files``, ``_gcpause`` and the name engine (``names/``,
``typo/``). Build, upload, export and stats read plans; the plan knows none of them.
"""
