"""Route modules, one per feature."""
