"""Evaluation suites (retrieval now; RAGAS and bias suites build on it)."""
