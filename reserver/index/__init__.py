"""Package indexes: the local one reserver can start, and the one client that reads an
index's simple API (its listing, a project's page and files).

Infrastructure: may import ``errors``, ``_files``, ``_closing`` and the name engine's types
(``names/``), never a pipeline stage (targets, selection, plan, placeholder, ...).
"""
