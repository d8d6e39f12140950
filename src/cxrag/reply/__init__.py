"""Reply: the pipeline from a customer message to a checked answer or a handoff."""
