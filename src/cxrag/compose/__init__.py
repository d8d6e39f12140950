"""Compose: prompts from templates, retrieved passages, customer history and the conversation."""
