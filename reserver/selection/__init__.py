"""Selection: targets in, the names to hold out, ranked and budgeted."""
