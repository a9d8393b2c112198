"""Placeholder packages: the message, the rendered files, the sdist, and its validation."""
