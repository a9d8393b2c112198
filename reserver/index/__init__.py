"""Package indexes: the local one reserver can start, and clients that read listings."""
