"""Where chunks live: a catalogue (SQLite, the source of truth), a vector index (Chroma) and a
lexical index (tantivy)."""
