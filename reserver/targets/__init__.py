"""Targets: the projects to protect, as given on the command line, in a targets file, read
from wheels (their import names) or taken from the most downloaded projects (popularity).

May import: ``errors``, ``_files``, the name engine (``names/``, ``typo/``) and ``index/``
(to fetch a top-packages list). Nothing from the later stages.
"""
