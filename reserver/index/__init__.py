"""Package indexes: the local one reserver can start, and clients that read listings.

Infrastructure: may import ``errors``, ``_files``, ``_closing`` and the name engine's types
(``names/``), never a pipeline stage (targets, selection, plan, placeholder, ...).
"""
