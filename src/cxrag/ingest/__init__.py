"""Ingestion: load sources (files, ticket exports), chunk by tokens, embed, index."""
