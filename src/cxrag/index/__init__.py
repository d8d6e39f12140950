"""Where chunks live: a vector index (Chroma) and a catalogue with the lexical index (SQLite)."""
