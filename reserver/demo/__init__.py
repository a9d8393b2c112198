"""The demo: the whole loop on loopback (local index, stats service, plan, build, upload,
real installers), for ``reserver demo`` and the benchmarks that need a running stack.

May import anything but ``cli/``: it is the one stage that drives all the others.
"""
