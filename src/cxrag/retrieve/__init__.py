"""Retrieval: lexical (BM25 in tantivy), dense (chunk and document vectors), language-aware
fusion."""
