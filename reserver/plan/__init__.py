"""The plan: the reviewed list of names to hold, its file, its summary and its holder."""
