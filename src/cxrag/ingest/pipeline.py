"""The ingest pipeline: discover -> diff by hash -> parse -> chunk -> embed -> write.

The writes go through :class:`cxrag.index.writer.IndexWriter`, which keeps them
crash-consistent; each run first reconciles anything an interruption left behind.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import structlog

from cxrag.documents import Document
from cxrag.embed.base import Embedder
from cxrag.errors import CxragError, UnsupportedFormat
from cxrag.index.catalog import Catalog, Manifest
from cxrag.index.legs import LanguageLeg
from cxrag.index.lexical import LexicalIndex
from cxrag.index.vectors import VectorIndex
from cxrag.index.writer import Batch, IndexWriter
from cxrag.ingest import screening
from cxrag.ingest.admission import Admission
from cxrag.ingest.chunking import TokenChunker, embedding_text
from cxrag.ingest.loaders import load_file
from cxrag.ingest.models import Failure, IngestReport, SourceFile
from cxrag.ingest.sources import SUPPORTED, discover_all, is_ticket_export
from cxrag.ingest.stages import Files, Parsed, WriteBehind, prefetch
from cxrag.ingest.tickets import load_ticket_export
from cxrag.metrics import INGEST_CHUNKS, INGEST_RUNS, INGESTED

log = structlog.get_logger(__name__)
# 2: tickets index the agent side only; 3: tables row by row; 4: wrapped PDF lines joined
PIPELINE_VERSION = "4"
Progress = Callable[[str, int], None]


class Ingestor:
    """Ingests files and ticket exports into one collection (catalogue + vector index)."""

    def __init__(self, catalog: Catalog, index: VectorIndex, lexical: LexicalIndex,
                 embedder: Embedder, chunker: TokenChunker, languages: Sequence[str],
                 batch_chunks: int = 256, first_batch_chunks: int = 16,
                 admission: Admission | None = None, legs: Sequence[LanguageLeg] = ()):
        self.catalog, self.index, self.lexical = catalog, index, lexical
        self.legs = tuple(legs)
        self.indexes = IndexWriter(catalog, index, lexical, legs)  # every write to the stores
        self.embedder, self.chunker = embedder, chunker
        self.admission = admission or Admission()
        self.languages = list(languages)
        self.batch_chunks = batch_chunks
        self.first_batch_chunks = first_batch_chunks
        self._target = 0  # chunks in the next embedding batch; set by run()
        self._forced = False
        self._batch: Batch = []
        self._queue: Files = []
        self._known = Manifest({}, {})  # the catalogue as this run found it
        self._owners: dict[str, str] = {}  # doc id -> file, as of the files applied so far
        self._run_paths: set[str] = set()  # the files of this run
        self._writer: WriteBehind | None = None

    @property
    def fingerprint(self) -> str:
        """Settings that change chunk content; a change re-processes every document."""
        spec = [PIPELINE_VERSION, self.embedder.model_id, self.chunker.max_tokens,
                self.chunker.overlap, self.languages,
                screening.VERSION if self.admission.screen else None]
        if self.legs:  # (without one, the fingerprint of every collection before legs)
            spec.append([leg.fingerprint for leg in self.legs])
        return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]

    def run(self, paths: Sequence[Path | SourceFile], full: bool = False,
            progress: Progress | None = None) -> IngestReport:
        """Ingest ``paths``; returns what happened. Never raises for a bad file."""
        started = time.perf_counter()
        report = IngestReport()
        self._batch, self._queue = [], []  # nothing left from a crashed run
        if full:
            self.indexes.reset()
        self.reconcile()
        self._known = self.catalog.manifest()
        self._owners = {doc_id: owner for doc_id, (_, owner) in self._known.documents.items()}
        self._forced = self.catalog.get_meta("fingerprint") not in (None, self.fingerprint)
        if self._forced:
            log.info("ingest.settings_changed", detail="re-processing every document")
        sources, roots = discover_all(paths, report.failures)
        self._run_paths = {str(s.path) for s in sources}
        if progress:
            progress("total", len(sources))
        seen: set[str] = set()
        # Three stages overlap: parsing + chunking (a thread ahead), embedding (here), and
        # writing (a thread behind). The first embedding batches are small, so the embedder
        # starts after a few files instead of idling while a full batch is parsed; writes
        # are grouped whatever the embedding batch size.
        self._target = min(self.first_batch_chunks, self.batch_chunks)
        self._writer = WriteBehind(lambda b, v, f: self._store(b, v, f, report),
                                   self.batch_chunks)
        try:
            for parsed in prefetch(self._parse(source) for source in sources):
                self._apply(parsed, report, seen)
                if progress:
                    progress("advance", 1)
            self._flush(report)
        finally:
            writer, self._writer = self._writer, None
            writer.close(raise_errors=sys.exc_info()[0] is None)
        for root in roots:
            report.removed += self.indexes.remove_missing(str(root), seen)
        self.catalog.set_meta("fingerprint", self.fingerprint)
        self.catalog.set_meta("embedding_model", self.embedder.model_id)
        if report.added or report.updated or report.removed:
            self.indexes.refresh_statistics()
        report.seconds = time.perf_counter() - started
        record(report)
        return report

    # -- discovery and parsing ---------------------------------------------------------------
    def _parse(self, source: SourceFile) -> Parsed:
        path = source.path
        if path.suffix.lower() not in SUPPORTED:
            err = UnsupportedFormat(f"unsupported file type {path.suffix or '(none)'}")
            return Parsed(source, "", failures=[Failure(str(path), err.detail, err.code)])
        raw = self._read(path)
        if isinstance(raw, Failure):
            return Parsed(source, "", failures=[raw])
        file_hash = hashlib.sha256(raw).hexdigest()
        if not self._forced and self._known.source_hash(str(path)) == file_hash:
            return Parsed(source, file_hash, unchanged=True)
        try:
            if is_ticket_export(source):
                docs, failures = load_ticket_export(path, raw, self.languages)
            else:
                docs, failures = [load_file(source, raw, self.languages,
                                            self.admission.max_text_chars)], []
        except CxragError as exc:
            return Parsed(source, file_hash, failures=[Failure(str(path), exc.detail, exc.code)])
        docs, refused, quarantined = self.admission.admit(docs)
        # Chunk here too (this runs in the parse thread; tiktoken releases the GIL), but only
        # the documents whose content changed.
        hashes = self._known.document_hashes(d.doc_id for d in docs)
        chunks = {d.doc_id: self.chunker.split(d) for d in docs
                  if self._forced or hashes.get(d.doc_id) != d.content_hash}
        return Parsed(source, file_hash, docs, failures + refused, chunks=chunks,
                      quarantined=quarantined)

    def _read(self, path: Path) -> bytes | Failure:
        """The file's bytes, or why it is not read (unreadable, over the size limit)."""
        try:
            too_large = self.admission.file_failure(path, path.stat().st_size)
            return too_large or path.read_bytes()
        except OSError as exc:
            return Failure(str(path), f"unreadable: {exc}", "unreadable")

    # -- applying changes ---------------------------------------------------------------------
    def _apply(self, parsed: Parsed, report: IngestReport, seen: set[str]) -> None:
        path = str(parsed.source.path)
        seen.add(path)
        report.failures.extend(parsed.failures)
        known = self._known.source_doc_ids(path)
        if parsed.unchanged:
            report.unchanged += len(known)
            report.documents_seen += len(known)
            return
        if not parsed.docs and parsed.failures and not parsed.quarantined:
            return  # keep whatever an earlier good version indexed; the failure is reported
        hashes = self._known.document_hashes(d.doc_id for d in parsed.docs)
        todo = self._changed(parsed, hashes, report)
        current = {d.doc_id for d in parsed.docs}
        gone = (set(known) - current) | self._replaced_by_quarantine(parsed)
        for doc_id in gone:  # released: another file of this run may take the id
            if self._owners.get(doc_id) == path:
                del self._owners[doc_id]
        self._queue.append((parsed, gone, current))
        self._batch += [(d, parsed.chunks.get(d.doc_id) or self.chunker.split(d), path,
                         d.doc_id in hashes) for d in todo]
        if sum(len(chunks) for _, chunks, _, _ in self._batch) >= self._target:
            self._flush(report)
            self._target = min(2 * self._target, self.batch_chunks)

    def _changed(self, parsed: Parsed, hashes: dict[str, str],
                 report: IngestReport) -> list[Document]:
        """The file's documents to (re)write; counts the unchanged ones."""
        todo: list[Document] = []
        for doc in parsed.docs:
            report.documents_seen += 1
            released = self._owners.get(doc.doc_id) is None and doc.doc_id in hashes
            if not self._claim(doc.doc_id, parsed, report):
                continue
            if self._forced or released or hashes.get(doc.doc_id) != doc.content_hash:
                todo.append(doc)
                continue
            report.unchanged += 1
            if doc.doc_id in parsed.moved:
                parsed.relocated.append(doc)  # same content, new file: only the owner changes
        return todo

    def _claim(self, doc_id: str, parsed: Parsed, report: IngestReport) -> bool:
        """Take ``doc_id`` for this file: from nobody, from itself, or from a file outside
        this run (the same files ingested from a new folder); another file of this run keeps
        it and the clash is reported."""
        path, owner = str(parsed.source.path), self._owners.get(doc_id)
        if owner not in (None, path):
            if owner in self._run_paths:
                report.failures.append(Failure(
                    path, f"document id {doc_id!r} is already used by {owner}", "duplicate_id"))
                return False
            parsed.moved[doc_id] = owner
        self._owners[doc_id] = path
        return True

    def _replaced_by_quarantine(self, parsed: Parsed) -> set[str]:
        """Quarantined ids whose earlier version this file would replace: they are removed."""
        path, out = str(parsed.source.path), set[str]()
        for doc_id in parsed.quarantined:
            owner = self._owners.get(doc_id)
            if owner is not None and (owner == path or owner not in self._run_paths):
                if owner != path:
                    parsed.moved[doc_id] = owner
                self._owners[doc_id] = path
                out.add(doc_id)
        return out

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

    def _embed(self, batch: Batch, report: IngestReport) -> np.ndarray:
        """Title then chunk vectors of each document, in batch order."""
        t0 = time.perf_counter()
        vectors = self.embedder.embed_documents(_texts(batch))
        report.embed_seconds += time.perf_counter() - t0
        return vectors

    def _embed_legs(self, batch: Batch, report: IngestReport) -> dict[str, np.ndarray]:
        """Each second leg's vectors (``cxrag.index.legs``) for the batch's documents in its
        language: title then chunk vectors of each, in batch order, as ``_embed``'s."""
        out: dict[str, np.ndarray] = {}
        for leg in self.legs:
            if texts := _texts([item for item in batch if item[0].language == leg.language]):
                t0 = time.perf_counter()
                out[leg.language] = leg.embedder.embed_documents(texts)
                report.embed_seconds += time.perf_counter() - t0
        return out

    def _store(self, batch: Batch, vectors: np.ndarray | None, files: Files,
               report: IngestReport) -> None:
        if batch and vectors is not None:
            # A second leg's model embeds here, on the writing thread, while the next batch
            # is embedded with the main model.
            legs = self._embed_legs(batch, report)
            self.indexes.write(batch, vectors, legs)
            for _, chunks, _, existed in batch:
                report.chunks_written += len(chunks)
                if existed:
                    report.updated += 1
                else:
                    report.added += 1
        for parsed, gone, current in files:
            for doc_id in gone:
                if self._owners.get(doc_id) is None:  # not taken over by another file
                    self.indexes.remove(doc_id)
                    report.removed += 1
            relocated = {d.doc_id: d.source for d in parsed.relocated}
            for doc_id, old_path in parsed.moved.items():
                self.indexes.hand_over(doc_id, old_path, str(parsed.source.path),
                                       relocated.get(doc_id))
            if not parsed.failures:
                self.indexes.record_source(str(parsed.source.path), str(parsed.source.root),
                                           parsed.file_hash, sorted(current))

    # -- index maintenance (see IndexWriter) ------------------------------------------------
    def reconcile(self) -> int:
        """Delete what an interrupted run left uncommitted in the derived indexes; returns
        documents repaired."""
        return self.indexes.reconcile()

    def ensure_lexical(self) -> int:
        """Rebuild the lexical index from the catalogue if it is empty while the catalogue is
        not (deleted, or written by a cxrag before this index existed); returns chunks indexed.
        """
        return self.indexes.ensure_lexical()

    def rebuild_lexical(self) -> int:
        """Re-create the lexical index from the catalogue; returns chunks indexed."""
        return self.indexes.rebuild_lexical()


def _texts(batch: Batch) -> list[str]:
    """What is embedded of a batch: each document's title, then its chunks, in batch order."""
    return [t for doc, chunks, _, _ in batch
            for t in [doc.title, *(embedding_text(doc.title, c) for c in chunks)]]


def record(report: IngestReport) -> None:
    """An ingest run in the metrics: files by outcome, chunks written, the run's outcome."""
    for outcome, count in (("added", report.added), ("updated", report.updated),
                           ("unchanged", report.unchanged), ("removed", report.removed),
                           ("skipped", report.skipped), ("failed", len(report.failures))):
        if count:
            INGESTED.labels(outcome).inc(count)
    INGEST_CHUNKS.inc(report.chunks_written)
    INGEST_RUNS.labels("ok" if report.ok else "with_failures").inc()
