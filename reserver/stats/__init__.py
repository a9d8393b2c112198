"""The stats service: counts blocked installs of reserved names without spying on anyone.

``schema`` checks what a ping may carry, ``store`` keeps only aggregate counts (SQLite or
PostgreSQL through SQLAlchemy), ``writer`` commits pings in groups, and ``app`` serves the
collector, the dashboard and the JSON/CSV API.
"""
