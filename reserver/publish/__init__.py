"""Publishing built placeholders to an index."""
