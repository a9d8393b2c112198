"""Targets: the projects to protect (popularity: the most downloaded ones)."""
