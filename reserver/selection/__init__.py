"""Selection: targets in, the names to hold out, ranked and budgeted, each with what the
registry says of it (free, taken, blocked). ``run.run_selection`` is the whole stage;
``select.select`` its pure middle; ``entries.to_plan_entries`` turns the rows into plan
entries.

May import: ``errors``, ``_files``, ``_gcpause``, ``_fork``, the name engine, ``index/``,
``targets/`` and ``plan/`` (the entries it produces).
"""
