"""Evaluation: how the engine does against real squats and real people's typos."""
