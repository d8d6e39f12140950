"""The catalogue of one collection: manifest and chunk store, in a relational database.

The catalogue is the source of truth for what is searchable: a chunk is visible only once its
document's catalogue transaction has committed. Vector and lexical index writes happen around
that transaction under a ``pending`` marker, so an interrupted ingest can be reconciled on the
next run, and either derived index can be rebuilt from here.

One set of tables (``index.schema``) on either engine: a SQLite file per collection in
``CXRAG_DATA_DIR`` (the zero-configuration default), or the deployment's PostgreSQL
(``CXRAG_DATABASE_URL``), where every collection of every tenant shares the tables, each row
keyed by its ``space`` (``tenant/collection``), so any number of replicas read and write one
catalogue with nothing on their own disks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from cxrag.documents import Chunk, Document
from cxrag.errors import IndexUnavailable
from cxrag.index.schema import (
    CHUNKS,
    DOCUMENTS,
    META,
    PENDING,
    SOURCES,
    refresh_statistics,
)


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


_WRITE_LOCK = 0x63617461  # "cata": advisory lock class of a collection's writers


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    """One collection's catalogue (``space``) on ``engine``; thread-safe (a connection per
    call from the engine's pool). Call ``index.schema.create_tables(engine)`` once before
    use."""

    def __init__(self, engine: Engine, space: str = "") -> None:
        self.engine, self.space = engine, space
        self._held = threading.local()  # this thread's depth inside write_lock()

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Writers of this collection take turns across processes: on PostgreSQL a
        session-level advisory lock on the space, held on a connection of its own (released
        by the server if the process dies); re-entrant within a thread. On SQLite nothing
        (one process writes its own file; ``KnowledgeBase.lock`` orders its threads)."""
        depth = getattr(self._held, "depth", 0)
        if depth or self.engine.dialect.name != "postgresql":
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
            return
        try:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("SELECT pg_advisory_lock(:key, hashtext(:space))"),
                         {"key": _WRITE_LOCK, "space": self.space})
        except SQLAlchemyError as exc:
            raise IndexUnavailable(f"the catalogue database failed: {exc}") from exc
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key, hashtext(:space))"),
                             {"key": _WRITE_LOCK, "space": self.space})
            finally:
                conn.close()

    def close(self) -> None:
        """Nothing to close: the engine belongs to whoever made it (``Knowledge``)."""

    def _read(self, statement: Any) -> list[Any]:
        try:
            # One statement in autocommit: no BEGIN and ROLLBACK round trips around a read.
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                return list(conn.execute(statement).all())
        except SQLAlchemyError as exc:
            raise IndexUnavailable(f"the catalogue database failed: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction: committed on success, rolled back on any error; the database's own
        errors become ``IndexUnavailable``."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise IndexUnavailable(f"the catalogue database failed: {exc}") from exc

    def _upsert(self, conn: Connection, table: Table, rows: list[dict[str, Any]],
                keys: Sequence[str]) -> None:
        if not rows:
            return
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table)
        values = {c.name: statement.excluded[c.name] for c in table.columns
                  if c.name not in keys}
        conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=values),
                     rows)

    # -- metadata -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A collection-level setting (e.g. the embedding model id)."""
        rows = self._read(select(META.c.value).where(META.c.space == self.space,
                                                     META.c.key == key))
        return None if not rows else str(rows[0][0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a collection-level setting."""
        with self._write() as conn:
            self._upsert(conn, META, [{"space": self.space, "key": key, "value": value}],
                         ("space", "key"))

    # -- manifest -------------------------------------------------------------------------
    def record_source(self, path: str, root: str, file_hash: str, doc_ids: Sequence[str]) -> None:
        """Mark a source file as fully ingested at ``file_hash``."""
        with self._write() as conn:
            self._upsert(conn, SOURCES, [{"space": self.space, "path": path, "root": root,
                                          "file_hash": file_hash,
                                          "doc_ids": json.dumps(list(doc_ids))}],
                         ("space", "path"))

    def sources_under(self, root: str) -> dict[str, list[str]]:
        """Source paths recorded under ``root`` and their document ids."""
        rows = self._read(select(SOURCES.c.path, SOURCES.c.doc_ids).where(
            SOURCES.c.space == self.space, SOURCES.c.root == root))
        return {r[0]: json.loads(r[1]) for r in rows}

    def forget_source(self, path: str) -> None:
        """Drop a source file's manifest row."""
        with self._write() as conn:
            conn.execute(delete(SOURCES).where(SOURCES.c.space == self.space,
                                               SOURCES.c.path == path))

    def manifest(self) -> Manifest:
        """Every source's hash and documents, and every document's hash and owner, read at
        once: an ingest diffs against this instead of asking per file."""
        sources = {r[0]: (str(r[1]), list(json.loads(r[2]))) for r in self._read(
            select(SOURCES.c.path, SOURCES.c.file_hash, SOURCES.c.doc_ids)
            .where(SOURCES.c.space == self.space))}
        documents = {r[0]: (str(r[1]), str(r[2])) for r in self._read(
            select(DOCUMENTS.c.doc_id, DOCUMENTS.c.content_hash, DOCUMENTS.c.source_path)
            .where(DOCUMENTS.c.space == self.space))}
        return Manifest(sources, documents)

    def document_states(self, doc_ids: Sequence[str]) -> dict[str, DocState]:
        """The committed state of each of the given documents that exists."""
        out: dict[str, DocState] = {}
        ids = list(doc_ids)
        d = DOCUMENTS.c
        for start in range(0, len(ids), 500):
            rows = self._read(select(d.doc_id, d.content_hash, d.language, d.tags, d.doc_type)
                              .where(d.space == self.space,
                                     d.doc_id.in_(ids[start: start + 500])))
            out.update({r[0]: DocState(r[1], r[2], r[3], r[4]) for r in rows})
        return out

    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """Committed content hash per document, for the given ids."""
        return {d: state.content_hash for d, state in self.document_states(doc_ids).items()}

    def document_owner(self, doc_id: str) -> str | None:
        """The source path a committed document came from."""
        rows = self._read(select(DOCUMENTS.c.source_path).where(
            DOCUMENTS.c.space == self.space, DOCUMENTS.c.doc_id == doc_id))
        return None if not rows else str(rows[0][0])

    def chunk_ids(self, doc_id: str) -> list[str]:
        """Committed chunk ids of a document."""
        rows = self._read(select(CHUNKS.c.chunk_id).where(
            CHUNKS.c.space == self.space, CHUNKS.c.doc_id == doc_id).order_by(CHUNKS.c.id))
        return [r[0] for r in rows]

    # -- pending markers (crash consistency with the vector index) -------------------------
    def mark_pending(self, doc_ids: Iterable[str]) -> None:
        """Record that vector writes for these documents are in flight."""
        with self._write() as conn:
            self._upsert(conn, PENDING, [{"space": self.space, "doc_id": d, "since": _now()}
                                         for d in doc_ids], ("space", "doc_id"))

    def clear_pending(self, doc_ids: Iterable[str]) -> None:
        """Vector writes for these documents are done."""
        ids = list(doc_ids)
        if not ids:
            return
        with self._write() as conn:
            conn.execute(delete(PENDING).where(PENDING.c.space == self.space,
                                               PENDING.c.doc_id.in_(ids)))

    def pending(self) -> list[str]:
        """Documents whose vector writes were interrupted."""
        return [r[0] for r in self._read(select(PENDING.c.doc_id)
                                         .where(PENDING.c.space == self.space))]

    # -- writes -----------------------------------------------------------------------------
    def commit_document(self, doc: Document, source_path: str, chunks: Sequence[Chunk]) -> None:
        """Atomically replace a document's row and chunks."""
        with self._write() as conn:
            self._delete_rows(conn, doc.doc_id)
            conn.execute(insert(DOCUMENTS).values(
                space=self.space, doc_id=doc.doc_id, source_path=source_path,
                content_hash=doc.content_hash, title=doc.title, source=doc.source,
                doc_type=doc.doc_type, format=doc.format, language=doc.language,
                updated_at=doc.updated_at, tags=json.dumps(doc.tags), product=doc.product,
                n_chunks=len(chunks), private=json.dumps(doc.private), indexed_at=_now()))
            if chunks:
                conn.execute(insert(CHUNKS), [
                    {"space": self.space, "chunk_id": c.chunk_id, "doc_id": c.doc_id,
                     "idx": c.index, "text": c.text, "headings": json.dumps(c.headings),
                     "n_tokens": c.n_tokens} for c in chunks])

    def hand_over(self, doc_id: str, old_path: str, new_path: str, source: str | None) -> None:
        """Move a document to another source file. The old file's manifest row drops it and
        its hash (so that file is read again next time); with ``source`` (same content), the
        committed row now names the new file."""
        with self._write() as conn:
            row = conn.execute(select(SOURCES.c.doc_ids).where(
                SOURCES.c.space == self.space, SOURCES.c.path == old_path)).first()
            if row is not None:
                ids = [d for d in json.loads(row[0]) if d != doc_id]
                conn.execute(update(SOURCES).where(
                    SOURCES.c.space == self.space, SOURCES.c.path == old_path).values(
                    file_hash="", doc_ids=json.dumps(ids)))
            if source is not None:
                conn.execute(update(DOCUMENTS).where(
                    DOCUMENTS.c.space == self.space, DOCUMENTS.c.doc_id == doc_id).values(
                    source_path=new_path, source=source))

    def delete_document(self, doc_id: str) -> None:
        """Atomically remove a document and its chunks."""
        with self._write() as conn:
            self._delete_rows(conn, doc_id)

    def _delete_rows(self, conn: Connection, doc_id: str) -> None:
        conn.execute(delete(CHUNKS).where(CHUNKS.c.space == self.space,
                                          CHUNKS.c.doc_id == doc_id))
        conn.execute(delete(DOCUMENTS).where(DOCUMENTS.c.space == self.space,
                                             DOCUMENTS.c.doc_id == doc_id))

    def clear(self) -> None:
        """Remove everything (``--full`` rebuilds)."""
        with self._write() as conn:
            for table in (SOURCES, DOCUMENTS, CHUNKS, PENDING):
                conn.execute(delete(table).where(table.c.space == self.space))

    # -- reads -------------------------------------------------------------------------------
    def _chunk_query(self) -> Any:
        c, d = CHUNKS.c, DOCUMENTS.c
        return (select(c.chunk_id, c.doc_id, c.idx, c.text, c.headings, d.title, d.source,
                       d.doc_type, d.language, d.tags, d.product, d.updated_at)
                .join(DOCUMENTS, (d.space == c.space) & (d.doc_id == c.doc_id))
                .where(c.space == self.space))

    @staticmethod
    def _stored(r: Sequence[Any]) -> StoredChunk:
        return StoredChunk(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], r[6], r[7],
                           r[8], tuple(json.loads(r[9] or "[]")), r[10], r[11])

    def fetch_chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Committed chunks by id (unknown or uncommitted ids are absent)."""
        if not chunk_ids:
            return {}
        rows = self._read(self._chunk_query().where(
            CHUNKS.c.chunk_id.in_(bindparam("ids", list(chunk_ids), expanding=True))))
        return {r[0]: self._stored(r) for r in rows}

    def iter_chunks(self, doc_ids: Sequence[str] | None = None,
                    batch: int = 2_000) -> Iterator[list[StoredChunk]]:
        """Every committed chunk (of ``doc_ids``, or of all documents), in batches; for
        rebuilding a derived index."""
        query = self._chunk_query()
        if doc_ids is not None:
            if not doc_ids:
                return
            query = query.where(CHUNKS.c.doc_id.in_(list(doc_ids)))
        rows = self._read(query.order_by(CHUNKS.c.id))
        for start in range(0, len(rows), batch):
            yield [self._stored(r) for r in rows[start: start + batch]]

    def known(self) -> bool:
        """Whether anything was ever recorded for this collection (an ingest ran)."""
        return bool(self._read(select(META.c.key).where(META.c.space == self.space).limit(1)))

    def refresh_statistics(self) -> None:
        """On PostgreSQL, the planner's statistics of the catalogue after an ingest."""
        refresh_statistics(self.engine, [DOCUMENTS.name, CHUNKS.name])

    def stats(self) -> dict[str, int]:
        """Counts of documents and chunks."""
        docs = self._read(select(func.count()).select_from(DOCUMENTS)
                          .where(DOCUMENTS.c.space == self.space))[0][0]
        chunks = self._read(select(func.count()).select_from(CHUNKS)
                            .where(CHUNKS.c.space == self.space))[0][0]
        return {"documents": int(docs), "chunks": int(chunks)}

