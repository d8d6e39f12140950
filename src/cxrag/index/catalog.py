"""The catalogue of one collection: manifest and chunk store in one SQLite file.

SQLite is the source of truth for what is searchable: a chunk is visible only once its
document's catalogue transaction has committed. Vector and lexical index writes happen around
that transaction under a ``pending`` marker, so an interrupted ingest can be reconciled on the
next run, and either derived index can be rebuilt from here.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxrag.documents import Chunk, Document

SCHEMA = """
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources(
    path TEXT PRIMARY KEY, root TEXT NOT NULL, file_hash TEXT NOT NULL, doc_ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    doc_id TEXT PRIMARY KEY, source_path TEXT NOT NULL, content_hash TEXT NOT NULL,
    title TEXT, source TEXT, doc_type TEXT, format TEXT, language TEXT, updated_at TEXT,
    tags TEXT, product TEXT, n_chunks INTEGER, private TEXT, indexed_at TEXT);
CREATE TABLE IF NOT EXISTS chunks(
    rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    idx INTEGER NOT NULL, text TEXT NOT NULL, headings TEXT NOT NULL, n_tokens INTEGER);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS pending(doc_id TEXT PRIMARY KEY, since TEXT NOT NULL);
DROP TABLE IF EXISTS chunks_fts;
"""


@dataclass(frozen=True)
class StoredChunk:
    """A committed chunk with its document's public metadata."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    headings: tuple[str, ...]
    title: str
    source: str
    doc_type: str
    language: str
    tags: tuple[str, ...]
    product: str | None
    updated_at: str


@dataclass(frozen=True)
class Manifest:
    """What the catalogue held when an ingest began: ``sources`` maps a path to its file hash
    and document ids, ``documents`` a document id to its content hash and source path."""

    sources: dict[str, tuple[str, list[str]]]
    documents: dict[str, tuple[str, str]]

    def source_hash(self, path: str) -> str | None:
        """The recorded hash of a fully ingested source file."""
        entry = self.sources.get(path)
        return entry[0] if entry else None

    def source_doc_ids(self, path: str) -> list[str]:
        """The document ids recorded for a source file."""
        entry = self.sources.get(path)
        return entry[1] if entry else []

    def document_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Content hash per document, for the given ids that exist."""
        return {d: self.documents[d][0] for d in doc_ids if d in self.documents}


@dataclass(frozen=True)
class Filters:
    """Metadata filters; every field optional (None = any)."""

    language: str | None = None
    doc_type: str | None = None
    product: str | None = None
    tag: str | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return all(getattr(self, f) is None for f in ("language", "doc_type", "product", "tag"))


@dataclass(frozen=True)
class DocState:
    """What search needs to know about a committed document."""

    content_hash: str
    language: str
    tags_json: str  # parsed only when a search filters on a tag
    doc_type: str = "article"

    @property
    def tags(self) -> tuple[str, ...]:
        """The document's tags."""
        return tuple(json.loads(self.tags_json or "[]"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    """One collection's SQLite catalogue. Thread-safe for the API (one lock per instance)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Run a read under the lock, so it never sees another thread's open transaction
        (the connection is shared between the API's and the ingest's threads)."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _row(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    # -- metadata -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A collection-level setting (e.g. the embedding model id)."""
        row = self._row("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a collection-level setting."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- manifest -------------------------------------------------------------------------
    def record_source(self, path: str, root: str, file_hash: str, doc_ids: Sequence[str]) -> None:
        """Mark a source file as fully ingested at ``file_hash``."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)",
                (path, root, file_hash, json.dumps(list(doc_ids))),
            )

    def sources_under(self, root: str) -> dict[str, list[str]]:
        """Source paths recorded under ``root`` and their document ids."""
        rows = self._rows("SELECT path, doc_ids FROM sources WHERE root = ?", (root,))
        return {r["path"]: json.loads(r["doc_ids"]) for r in rows}

    def forget_source(self, path: str) -> None:
        """Drop a source file's manifest row."""
        with self._lock:
            self._db.execute("DELETE FROM sources WHERE path = ?", (path,))

    def manifest(self) -> Manifest:
        """Every source's hash and documents, and every document's hash and owner, read at
        once: an ingest diffs against this instead of asking per file."""
        sources = {r[0]: (str(r[1]), list(json.loads(r[2])))
                   for r in self._rows("SELECT path, file_hash, doc_ids FROM sources")}
        documents = {r[0]: (str(r[1]), str(r[2]))
                     for r in self._rows("SELECT doc_id, content_hash, source_path FROM documents")}
        return Manifest(sources, documents)

    def document_states(self, doc_ids: Sequence[str]) -> dict[str, DocState]:
        """The committed state of each of the given documents that exists."""
        out: dict[str, DocState] = {}
        ids = list(doc_ids)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._rows("SELECT doc_id, content_hash, language, tags, doc_type "
                              f"FROM documents WHERE doc_id IN ({marks})", part)
            out.update({r[0]: DocState(r[1], r[2], r[3], r[4]) for r in rows})
        return out

    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """Committed content hash per document, for the given ids."""
        return {d: state.content_hash for d, state in self.document_states(doc_ids).items()}

    def document_owner(self, doc_id: str) -> str | None:
        """The source path a committed document came from."""
        row = self._row("SELECT source_path FROM documents WHERE doc_id = ?", (doc_id,))
        return None if row is None else str(row[0])

    def chunk_ids(self, doc_id: str) -> list[str]:
        """Committed chunk ids of a document."""
        rows = self._rows("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))
        return [r[0] for r in rows]

    # -- pending markers (crash consistency with the vector index) -------------------------
    def mark_pending(self, doc_ids: Iterable[str]) -> None:
        """Record that vector writes for these documents are in flight."""
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO pending VALUES (?, ?)", [(d, _now()) for d in doc_ids]
            )

    def clear_pending(self, doc_ids: Iterable[str]) -> None:
        """Vector writes for these documents are done."""
        with self._lock:
            self._db.executemany("DELETE FROM pending WHERE doc_id = ?", [(d,) for d in doc_ids])

    def pending(self) -> list[str]:
        """Documents whose vector writes were interrupted."""
        return [r[0] for r in self._rows("SELECT doc_id FROM pending")]

    # -- writes -----------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction under the instance lock; rolled back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def commit_document(self, doc: Document, source_path: str, chunks: Sequence[Chunk]) -> None:
        """Atomically replace a document's row, chunks and lexical entries."""
        with self._transaction():
            self._delete_rows(doc.doc_id)
            self._db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.doc_id, source_path, doc.content_hash, doc.title, doc.source,
                    doc.doc_type, doc.format, doc.language, doc.updated_at,
                    json.dumps(doc.tags), doc.product, len(chunks),
                    json.dumps(doc.private), _now(),
                ),
            )
            self._db.executemany(
                "INSERT INTO chunks(chunk_id, doc_id, idx, text, headings, n_tokens) "
                "VALUES (?,?,?,?,?,?)",
                [(c.chunk_id, c.doc_id, c.index, c.text, json.dumps(c.headings), c.n_tokens)
                 for c in chunks],
            )

    def hand_over(self, doc_id: str, old_path: str, new_path: str, source: str | None) -> None:
        """Move a document to another source file. The old file's manifest row drops it and
        its hash (so that file is read again next time); with ``source`` (same content), the
        committed row now names the new file."""
        with self._transaction():
            row = self._db.execute("SELECT doc_ids FROM sources WHERE path = ?",
                                   (old_path,)).fetchone()
            if row is not None:
                ids = [d for d in json.loads(row[0]) if d != doc_id]
                self._db.execute("UPDATE sources SET file_hash = '', doc_ids = ? WHERE path = ?",
                                 (json.dumps(ids), old_path))
            if source is not None:
                self._db.execute("UPDATE documents SET source_path = ?, source = ? "
                                 "WHERE doc_id = ?", (new_path, source, doc_id))

    def delete_document(self, doc_id: str) -> None:
        """Atomically remove a document and its chunks."""
        with self._transaction():
            self._delete_rows(doc_id)

    def _delete_rows(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def clear(self) -> None:
        """Remove everything (``--full`` rebuilds)."""
        with self._lock:
            for table in ("sources", "documents", "chunks", "pending"):
                self._db.execute(f"DELETE FROM {table}")

    # -- reads -------------------------------------------------------------------------------
    _CHUNK_SQL = (
        "SELECT c.chunk_id, c.doc_id, c.idx, c.text, c.headings, d.title, d.source, "
        "d.doc_type, d.language, d.tags, d.product, d.updated_at FROM chunks c "
        "JOIN documents d USING (doc_id)"
    )

    @staticmethod
    def _stored(r: Sequence[Any]) -> StoredChunk:
        return StoredChunk(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], r[6], r[7],
                           r[8], tuple(json.loads(r[9] or "[]")), r[10], r[11])

    def fetch_chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Committed chunks by id (unknown or uncommitted ids are absent)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._rows(f"{self._CHUNK_SQL} WHERE c.chunk_id IN ({marks})", list(chunk_ids))
        return {r[0]: self._stored(r) for r in rows}

    def iter_chunks(self, doc_ids: Sequence[str] | None = None,
                    batch: int = 2_000) -> Iterator[list[StoredChunk]]:
        """Every committed chunk (of ``doc_ids``, or of all documents), in batches; for
        rebuilding a derived index."""
        where, params = "", []
        if doc_ids is not None:
            if not doc_ids:
                return
            where = f" WHERE c.doc_id IN ({','.join('?' * len(doc_ids))})"
            params = list(doc_ids)
        rows = self._rows(f"{self._CHUNK_SQL}{where} ORDER BY c.rowid", params)
        for start in range(0, len(rows), batch):
            yield [self._stored(r) for r in rows[start : start + batch]]

    def stats(self) -> dict[str, int]:
        """Counts of documents and chunks."""
        docs = self._row("SELECT count(*) FROM documents")[0]
        chunks = self._row("SELECT count(*) FROM chunks")[0]
        return {"documents": int(docs), "chunks": int(chunks)}
