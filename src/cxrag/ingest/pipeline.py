"""The ingest pipeline: discover -> diff by hash -> parse -> chunk -> embed -> write.

Writes are crash-consistent: for each document, the vector writes happen under a pending
marker around one SQLite transaction (the commit point). Search only sees committed chunks,
and the next run reconciles anything an interruption left behind.
"""

from __future__ import annotations

import hashlib
import json
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import structlog

from cxrag.embed.base import Embedder, normalise
from cxrag.errors import CxragError, UnsupportedFormat
from cxrag.index.catalog import Catalog, Manifest
from cxrag.index.lexical import LexicalEntry, LexicalIndex
from cxrag.index.vectors import VectorIndex
from cxrag.ingest.chunking import TokenChunker, embedding_text
from cxrag.ingest.loaders import load_file
from cxrag.ingest.models import (
    DOC_VECTOR_KINDS,
    Chunk,
    Document,
    Failure,
    IngestReport,
    SourceFile,
    doc_vector_ids,
    version_of,
)
from cxrag.ingest.sources import SUPPORTED, discover, is_ticket_export
from cxrag.ingest.tickets import load_ticket_export

log = structlog.get_logger(__name__)
PIPELINE_VERSION = "1"
Progress = Callable[[str, int], None]


@dataclass
class _Parsed:
    source: SourceFile
    file_hash: str
    docs: list[Document] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    unchanged: bool = False
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)  # of changed documents


def _prefetch(items: Iterable[_Parsed], size: int = 64) -> Iterator[_Parsed]:
    """Run ``items`` in a background thread, ``size`` ahead (parsing overlaps embedding)."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=size)
    done = object()

    def produce() -> None:
        try:
            for item in items:
                buffer.put(item)
        except BaseException as exc:  # surfaced in the consumer
            buffer.put(exc)
        buffer.put(done)

    threading.Thread(target=produce, daemon=True, name="cxrag-parse").start()
    while (item := buffer.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


_Batch = list[tuple[Document, list[Chunk], str, bool]]  # doc, chunks, source path, existed
_Files = list[tuple[_Parsed, set[str], set[str]]]  # parsed file, ids gone, ids current


class _WriteBehind:
    """Stores embedded batches on one thread, behind the embedder. Batches wait until at
    least ``min_chunks`` chunks are waiting (or the run ends) and are then written together:
    every write costs the stores a fixed price (a Chroma call per collection grows with the
    collection; a tantivy commit), so small embedding batches must not mean small writes. The
    first error stops the writing; :meth:`submit` and :meth:`close` raise it."""

    _END = object()

    def __init__(self, store: Callable[[_Batch, np.ndarray | None, _Files], None],
                 min_chunks: int) -> None:
        self._store, self._min = store, min_chunks
        self._inbox: queue.Queue[Any] = queue.Queue(maxsize=16)  # bounds memory if it lags
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, daemon=True, name="cxrag-write")
        self._thread.start()

    def submit(self, batch: _Batch, vectors: np.ndarray | None, files: _Files) -> None:
        self._raise()
        self._inbox.put((batch, vectors, files))

    def close(self, raise_errors: bool = True) -> None:
        """Write what waits, stop the thread; re-raise a write error if asked."""
        self._inbox.put(self._END)
        self._thread.join()
        if raise_errors:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _loop(self) -> None:
        waiting: list[tuple[_Batch, np.ndarray | None, _Files]] = []
        while True:
            item = self._inbox.get()
            end = item is self._END
            if not end:
                waiting.append(item)
            chunks = sum(len(c) for batch, _, _ in waiting for _, c, _, _ in batch)
            if waiting and (end or chunks >= self._min) and self._error is None:
                try:
                    self._write(waiting)
                except BaseException as exc:  # surfaced in the embedding thread
                    self._error = exc
                waiting = []
            if end:
                return

    def _write(self, waiting: list[tuple[_Batch, np.ndarray | None, _Files]]) -> None:
        batch = [entry for b, _, _ in waiting for entry in b]
        parts = [v for _, v, _ in waiting if v is not None and len(v)]
        vectors = np.vstack(parts) if parts else None
        self._store(batch, vectors, [f for _, _, files in waiting for f in files])


def lexical_entry(doc: Document, chunk: Chunk) -> LexicalEntry:
    """A chunk as the lexical index sees it."""
    return LexicalEntry(chunk.chunk_id, doc.doc_id, doc.title, chunk.headings, chunk.text,
                        doc.language, doc.doc_type, doc.product, tuple(doc.tags))


def _metadata(doc: Document) -> dict[str, Any]:
    """The filterable metadata stored with every vector (Chroma rejects None values)."""
    meta: dict[str, Any] = {"language": doc.language, "doc_type": doc.doc_type}
    if doc.product:
        meta["product"] = doc.product
    return meta


class Ingestor:
    """Ingests files and ticket exports into one collection (catalogue + vector index)."""

    def __init__(self, catalog: Catalog, index: VectorIndex, lexical: LexicalIndex,
                 embedder: Embedder, chunker: TokenChunker, languages: Sequence[str],
                 batch_chunks: int = 256, first_batch_chunks: int = 16):
        self.catalog, self.index, self.lexical = catalog, index, lexical
        self.embedder, self.chunker = embedder, chunker
        self.languages = list(languages)
        self.batch_chunks = batch_chunks
        self.first_batch_chunks = first_batch_chunks
        self._target = 0  # chunks in the next embedding batch; set by run()
        self._forced = False
        self._batch: _Batch = []
        self._queue: _Files = []
        self._known = Manifest({}, {})  # the catalogue as this run found it
        self._owners: dict[str, str] = {}  # doc id -> file, as of the files applied so far
        self._writer: _WriteBehind | None = None

    @property
    def fingerprint(self) -> str:
        """Settings that change chunk content; a change re-processes every document."""
        spec = [PIPELINE_VERSION, self.embedder.model_id, self.chunker.max_tokens,
                self.chunker.overlap, self.languages]
        return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]

    def run(self, paths: Sequence[Path], full: bool = False,
            progress: Progress | None = None) -> IngestReport:
        """Ingest ``paths``; returns what happened. Never raises for a bad file."""
        started = time.perf_counter()
        report = IngestReport()
        self._batch, self._queue = [], []  # nothing left from a crashed run
        if full:
            self.catalog.clear()
            self.index.reset()
            self.lexical.reset()
        self.reconcile()
        self._known = self.catalog.manifest()
        self._owners = {doc_id: owner for doc_id, (_, owner) in self._known.documents.items()}
        self._forced = self.catalog.get_meta("fingerprint") not in (None, self.fingerprint)
        if self._forced:
            log.info("ingest.settings_changed", detail="re-processing every document")
        sources, roots = self._discover(paths, report)
        if progress:
            progress("total", len(sources))
        seen: set[str] = set()
        # Three stages overlap: parsing + chunking (a thread ahead), embedding (here), and
        # writing (a thread behind). The first embedding batches are small, so the embedder
        # starts after a few files instead of idling while a full batch is parsed; writes
        # are grouped whatever the embedding batch size.
        self._target = min(self.first_batch_chunks, self.batch_chunks)
        self._writer = _WriteBehind(lambda b, v, f: self._store(b, v, f, report),
                                    self.batch_chunks)
        try:
            for parsed in _prefetch(self._parse(source) for source in sources):
                self._apply(parsed, report, seen)
                if progress:
                    progress("advance", 1)
            self._flush(report)
        finally:
            writer, self._writer = self._writer, None
            writer.close(raise_errors=sys.exc_info()[0] is None)
        for root in roots:
            self._remove_missing(root, seen, report)
        self.catalog.set_meta("fingerprint", self.fingerprint)
        self.catalog.set_meta("embedding_model", self.embedder.model_id)
        report.seconds = time.perf_counter() - started
        return report

    # -- discovery and parsing ---------------------------------------------------------------
    def _discover(self, paths: Sequence[Path],
                  report: IngestReport) -> tuple[list[SourceFile], list[Path]]:
        sources: list[SourceFile] = []
        roots: list[Path] = []
        for path in paths:
            if not path.exists():
                report.failures.append(Failure(str(path), "no such file or directory", "not_found"))
                continue
            if path.is_dir():
                roots.append(path.resolve())
            sources.extend(discover(path))
        return sources, roots

    def _parse(self, source: SourceFile) -> _Parsed:
        path = source.path
        if path.suffix.lower() not in SUPPORTED:
            err = UnsupportedFormat(f"unsupported file type {path.suffix or '(none)'}")
            return _Parsed(source, "", failures=[Failure(str(path), err.detail, err.code)])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            failure = Failure(str(path), f"unreadable: {exc}", "unreadable")
            return _Parsed(source, "", failures=[failure])
        file_hash = hashlib.sha256(raw).hexdigest()
        if not self._forced and self._known.source_hash(str(path)) == file_hash:
            return _Parsed(source, file_hash, unchanged=True)
        try:
            if is_ticket_export(source):
                docs, failures = load_ticket_export(path, raw, self.languages)
            else:
                docs, failures = [load_file(source, raw, self.languages)], []
        except CxragError as exc:
            return _Parsed(source, file_hash, failures=[Failure(str(path), exc.detail, exc.code)])
        # Chunk here too (this runs in the parse thread; tiktoken releases the GIL), but only
        # the documents whose content changed.
        hashes = self._known.document_hashes(d.doc_id for d in docs)
        chunks = {d.doc_id: self.chunker.split(d) for d in docs
                  if self._forced or hashes.get(d.doc_id) != d.content_hash}
        return _Parsed(source, file_hash, docs, failures, chunks=chunks)

    # -- applying changes ---------------------------------------------------------------------
    def _apply(self, parsed: _Parsed, report: IngestReport, seen: set[str]) -> None:
        path = str(parsed.source.path)
        seen.add(path)
        report.failures.extend(parsed.failures)
        known = self._known.source_doc_ids(path)
        if parsed.unchanged:
            report.unchanged += len(known)
            report.documents_seen += len(known)
            return
        if not parsed.docs and parsed.failures:
            return  # keep whatever an earlier good version indexed; the failure is reported
        previous = set(known)
        hashes = self._known.document_hashes(d.doc_id for d in parsed.docs)
        todo: list[Document] = []
        for doc in parsed.docs:
            report.documents_seen += 1
            owner = self._owners.get(doc.doc_id)
            if owner not in (None, path):
                report.failures.append(Failure(
                    path, f"document id {doc.doc_id!r} is already used by {owner}", "duplicate_id"))
                continue
            moved = owner is None and doc.doc_id in hashes  # released by another file
            if hashes.get(doc.doc_id) == doc.content_hash and not (self._forced or moved):
                report.unchanged += 1
                continue
            todo.append(doc)
            self._owners[doc.doc_id] = path
        current = {d.doc_id for d in parsed.docs}
        gone = previous - current
        for doc_id in gone:  # released: another file of this run may take the id
            if self._owners.get(doc_id) == path:
                del self._owners[doc_id]
        self._queue.append((parsed, gone, current))
        self._batch += [(d, parsed.chunks.get(d.doc_id) or self.chunker.split(d), path,
                         d.doc_id in hashes) for d in todo]
        if sum(len(chunks) for _, chunks, _, _ in self._batch) >= self._target:
            self._flush(report)
            self._target = min(2 * self._target, self.batch_chunks)

    def _flush(self, report: IngestReport) -> None:
        """Embed the queued documents here, then hand them to the writer thread, which
        stores them and finishes the files they came from (removals, manifest) while the
        next batch is parsed and embedded."""
        batch, files = self._batch, self._queue
        self._batch, self._queue = [], []
        if not batch and not files:
            return
        vectors = self._embed(batch, report) if batch else None
        if self._writer is None:  # not inside run(): write here
            self._store(batch, vectors, files, report)
        else:
            self._writer.submit(batch, vectors, files)

    def _embed(self, batch: _Batch, report: IngestReport) -> np.ndarray:
        """Title then chunk vectors of each document, in batch order."""
        texts = [t for doc, chunks, _, _ in batch
                 for t in [doc.title, *(embedding_text(doc.title, c) for c in chunks)]]
        t0 = time.perf_counter()
        vectors = self.embedder.embed_documents(texts)
        report.embed_seconds += time.perf_counter() - t0
        return vectors

    def _store(self, batch: _Batch, vectors: np.ndarray | None, files: _Files,
               report: IngestReport) -> None:
        if batch and vectors is not None:
            self._write_batch(batch, vectors, report)
        for parsed, gone, current in files:
            for doc_id in gone:
                if self._owners.get(doc_id) is None:  # not taken over by another file
                    self._remove(doc_id)
                    report.removed += 1
            if not parsed.failures:
                self.catalog.record_source(str(parsed.source.path), str(parsed.source.root),
                                           parsed.file_hash, sorted(current))

    def _write_batch(self, batch: _Batch, vectors: np.ndarray, report: IngestReport) -> None:
        """Write a batch's vectors in one call per collection and its lexical entries in one
        commit, then commit each document in the catalogue (the commit point), then drop
        what the previous versions left."""
        docs = [doc for doc, _, _, _ in batch]
        self.catalog.mark_pending(d.doc_id for d in docs)
        chunk_ids: list[str] = []
        chunk_docs: list[str] = []
        chunk_meta: list[dict[str, Any]] = []
        chunk_vecs: list[np.ndarray] = []
        doc_ids: list[str] = []
        doc_owners: list[str] = []
        doc_meta: list[dict[str, Any]] = []
        doc_vecs: list[np.ndarray] = []
        offset = 0
        for doc, chunks, _, _ in batch:
            vecs = vectors[offset : offset + 1 + len(chunks)]
            offset += 1 + len(chunks)
            meta = _metadata(doc)
            chunk_ids += [c.chunk_id for c in chunks]
            chunk_docs += [doc.doc_id] * len(chunks)
            chunk_meta += [meta] * len(chunks)
            chunk_vecs.append(vecs[1:])
            # In DOC_VECTOR_KINDS order: the centroid of title and chunks, then the title.
            doc_ids += doc_vector_ids(doc.doc_id, doc.version)
            doc_owners += [doc.doc_id] * len(DOC_VECTOR_KINDS)
            doc_meta += [meta] * len(DOC_VECTOR_KINDS)
            doc_vecs += [normalise(vecs.mean(axis=0)), vecs[0]]
        self.index.add_chunks(chunk_ids, chunk_docs, np.vstack(chunk_vecs), chunk_meta)
        self.index.add_docs(doc_ids, doc_owners, np.vstack(doc_vecs), doc_meta)
        self.lexical.add([lexical_entry(doc, c) for doc, chunks, _, _ in batch for c in chunks])
        for doc, chunks, path, existed in batch:
            self.catalog.commit_document(doc, path, chunks)  # the commit point
            report.chunks_written += len(chunks)
            if existed:
                report.updated += 1
            else:
                report.added += 1
        # The previous versions' vectors and lexical entries are now uncommitted.
        self._prune([doc.doc_id for doc, _, _, existed in batch if existed])
        self.catalog.clear_pending(d.doc_id for d in docs)

    def _prune(self, doc_ids: Sequence[str]) -> None:
        """Delete the documents' vectors and lexical entries the catalogue has not committed."""
        if not doc_ids:
            return
        hashes = self.catalog.document_hashes(doc_ids)
        stale_chunks: list[str] = []
        stale_doc_vectors: list[str] = []
        stale_lexical: list[str] = []
        for doc_id in doc_ids:
            committed = set(self.catalog.chunk_ids(doc_id))
            chunk_ids, doc_vectors = self.index.ids_for_doc(doc_id)
            doc_hash = hashes.get(doc_id)
            keep = doc_vector_ids(doc_id, version_of(doc_hash)) if doc_hash else []
            stale_chunks += [c for c in chunk_ids if c not in committed]
            stale_doc_vectors += [v for v in doc_vectors if v not in keep]
            stale_lexical += [c for c in self.lexical.ids_for_doc(doc_id) if c not in committed]
        self.index.delete(stale_chunks, stale_doc_vectors)
        self.lexical.delete(stale_lexical)

    def _remove(self, doc_id: str) -> None:
        self.catalog.mark_pending([doc_id])
        self.catalog.delete_document(doc_id)
        self.index.delete(*self.index.ids_for_doc(doc_id))
        self.lexical.delete(self.lexical.ids_for_doc(doc_id))
        self.catalog.clear_pending([doc_id])

    def _remove_missing(self, root: Path, seen: set[str], report: IngestReport) -> None:
        for path, doc_ids in self.catalog.sources_under(str(root)).items():
            if path in seen:
                continue
            for doc_id in doc_ids:
                if self.catalog.document_owner(doc_id) == path:
                    self._remove(doc_id)
                    report.removed += 1
            self.catalog.forget_source(path)

    def reconcile(self) -> int:
        """Delete what an interrupted run left uncommitted in the derived indexes; returns
        documents repaired."""
        pending = self.catalog.pending()
        self._prune(pending)
        self.catalog.clear_pending(pending)
        if pending:
            log.warning("ingest.reconciled", documents=len(pending))
        return len(pending)

    def ensure_lexical(self) -> int:
        """Rebuild the lexical index from the catalogue if it is empty while the catalogue is
        not (deleted, or written by a cxrag before this index existed); returns chunks indexed.
        """
        if self.lexical.count() or not self.catalog.stats()["chunks"]:
            return 0
        return self.rebuild_lexical()

    def rebuild_lexical(self) -> int:
        """Re-create the lexical index from the catalogue; returns chunks indexed."""
        started = time.perf_counter()
        self.lexical.reset()
        n = 0
        for stored in self.catalog.iter_chunks():
            self.lexical.add([LexicalEntry(c.chunk_id, c.doc_id, c.title, c.headings, c.text,
                                           c.language, c.doc_type, c.product, c.tags)
                              for c in stored])
            n += len(stored)
        seconds = round(time.perf_counter() - started, 1)
        log.info("ingest.lexical_rebuilt", chunks=n, seconds=seconds)
        return n
