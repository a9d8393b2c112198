"""Names the stats service and its command line share, kept light to import."""

from __future__ import annotations

#: The environment variable holding the admin bearer token.
TOKEN_ENV = "RESERVER_STATS_TOKEN"
#: Where ``reserver stats serve`` keeps its counts unless told otherwise.
DEFAULT_DB = "sqlite:///reserver-stats.sqlite3"
#: The environment variable naming the secret file (``reserver stats serve --secret-file``).
SECRET_FILE_ENV = "RESERVER_STATS_SECRET_FILE"
