"""Guard: checks on what the model wrote before anyone sees it (grounding, citations,
output safety)."""
