"""Retrieval: lexical (FTS5), dense (chunk and document vectors), language-aware fusion."""
