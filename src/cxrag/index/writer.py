"""Writes documents into one collection's stores: the catalogue, vectors and lexical index.

Writes are crash-consistent: for each document, the vector and lexical writes happen under a
pending marker around one SQLite transaction (the commit point). Search only sees committed
chunks, and :meth:`IndexWriter.reconcile` removes anything an interruption left behind.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np
import structlog

from cxrag.documents import DOC_VECTOR_KINDS, Chunk, Document, doc_vector_ids, version_of
from cxrag.embed.base import normalise
from cxrag.index.catalog import Catalog
from cxrag.index.legs import LanguageLeg
from cxrag.index.lexical import LexicalEntry, LexicalIndex
from cxrag.index.vectors import VectorIndex

log = structlog.get_logger(__name__)
Batch = list[tuple[Document, list[Chunk], str, bool]]  # doc, chunks, source path, existed
P = ParamSpec("P")
R = TypeVar("R")


def locked(method: Callable[Concatenate[IndexWriter, P], R]
           ) -> Callable[Concatenate[IndexWriter, P], R]:
    """Run ``method`` under the collection's write lock (``Catalog.write_lock``): workers
    ingesting into one collection parse and embed in parallel and write in turns, and no
    reconcile ever sees another writer's pending documents."""
    def wrapper(self: IndexWriter, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.catalog.write_lock():
            return method(self, *args, **kwargs)
    functools.update_wrapper(wrapper, method)
    return wrapper


def lexical_entry(doc: Document, chunk: Chunk) -> LexicalEntry:
    """A chunk as the lexical index sees it."""
    return LexicalEntry(chunk.chunk_id, doc.doc_id, doc.title, chunk.headings, chunk.text,
                        doc.language, doc.doc_type, doc.product, tuple(doc.tags))


def vector_metadata(doc: Document) -> dict[str, Any]:
    """The filterable metadata stored with every vector (Chroma rejects None values)."""
    meta: dict[str, Any] = {"language": doc.language, "doc_type": doc.doc_type}
    if doc.product:
        meta["product"] = doc.product
    return meta


def add_vectors(index: VectorIndex, batch: Batch, vectors: np.ndarray) -> None:
    """A batch's chunk vectors and document vectors, one call per collection. ``vectors``
    holds each document's title vector then its chunk vectors, in batch order."""
    if not batch:
        return
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
        meta = vector_metadata(doc)
        chunk_ids += [c.chunk_id for c in chunks]
        chunk_docs += [doc.doc_id] * len(chunks)
        chunk_meta += [meta] * len(chunks)
        chunk_vecs.append(vecs[1:])
        # In DOC_VECTOR_KINDS order: the centroid of title and chunks, then the title.
        doc_ids += doc_vector_ids(doc.doc_id, doc.version)
        doc_owners += [doc.doc_id] * len(DOC_VECTOR_KINDS)
        doc_meta += [meta] * len(DOC_VECTOR_KINDS)
        doc_vecs += [normalise(vecs.mean(axis=0)), vecs[0]]
    index.add_chunks(chunk_ids, chunk_docs, np.vstack(chunk_vecs), chunk_meta)
    index.add_docs(doc_ids, doc_owners, np.vstack(doc_vecs), doc_meta)


class IndexWriter:
    """Every write to one collection's catalogue, vector index and lexical index (and the
    vector index of each second dense leg, ``legs``: see ``cxrag.index.legs``)."""

    def __init__(self, catalog: Catalog, vectors: VectorIndex, lexical: LexicalIndex,
                 legs: Sequence[LanguageLeg] = ()) -> None:
        self.catalog, self.vectors, self.lexical = catalog, vectors, lexical
        self.legs = tuple(legs)

    @property
    def _vector_indexes(self) -> list[VectorIndex]:
        return [self.vectors, *(leg.index for leg in self.legs)]

    @locked
    def reset(self) -> None:
        """Empty the catalogue and the indexes."""
        self.catalog.clear()
        for index in self._vector_indexes:
            index.reset()
        self.lexical.reset()

    def refresh_statistics(self) -> None:
        """After an ingest run wrote something: the database planner's statistics of the
        catalogue and the lexical index (PostgreSQL; nothing for SQLite and tantivy)."""
        self.catalog.refresh_statistics()
        self.lexical.refresh_statistics()

    @locked
    def write(self, batch: Batch, vectors: np.ndarray,
              legs: Mapping[str, np.ndarray] | None = None) -> None:
        """Write a batch's vectors in one call per collection and its lexical entries in one
        commit, then commit each document in the catalogue (the commit point), then drop
        what the previous versions left. ``vectors`` holds each document's title vector
        then its chunk vectors, in batch order; ``legs`` (language -> vectors) the same for
        each leg's documents, those in its language. A leg given no vectors gets none: the
        ingest fingerprint records the legs, so a collection is never half in a leg."""
        docs = [doc for doc, _, _, _ in batch]
        legs = legs or {}
        self.catalog.mark_pending(d.doc_id for d in docs)
        add_vectors(self.vectors, batch, vectors)
        for leg in self.legs:
            if leg.language in legs:
                add_vectors(leg.index, [item for item in batch
                                        if item[0].language == leg.language], legs[leg.language])
        self.lexical.add([lexical_entry(doc, c) for doc, chunks, _, _ in batch for c in chunks])
        for doc, chunks, path, _ in batch:
            self.catalog.commit_document(doc, path, chunks)  # the commit point
        # The previous versions' vectors and lexical entries are now uncommitted.
        self.prune([doc.doc_id for doc, _, _, existed in batch if existed])
        self.catalog.clear_pending(d.doc_id for d in docs)

    def prune(self, doc_ids: Sequence[str]) -> None:
        """Delete the documents' vectors and lexical entries the catalogue has not committed."""
        if not doc_ids:
            return
        hashes = self.catalog.document_hashes(doc_ids)
        committed = {doc_id: set(self.catalog.chunk_ids(doc_id)) for doc_id in doc_ids}
        for index in self._vector_indexes:
            stale_chunks: list[str] = []
            stale_doc_vectors: list[str] = []
            for doc_id in doc_ids:
                chunk_ids, doc_vectors = index.ids_for_doc(doc_id)
                doc_hash = hashes.get(doc_id)
                keep = doc_vector_ids(doc_id, version_of(doc_hash)) if doc_hash else []
                stale_chunks += [c for c in chunk_ids if c not in committed[doc_id]]
                stale_doc_vectors += [v for v in doc_vectors if v not in keep]
            index.delete(stale_chunks, stale_doc_vectors)
        self.lexical.delete([c for doc_id in doc_ids for c in self.lexical.ids_for_doc(doc_id)
                             if c not in committed[doc_id]])

    @locked
    def remove(self, doc_id: str) -> None:
        """Delete a document from the catalogue and the indexes."""
        self.catalog.mark_pending([doc_id])
        self.catalog.delete_document(doc_id)
        for index in self._vector_indexes:
            index.delete(*index.ids_for_doc(doc_id))
        self.lexical.delete(self.lexical.ids_for_doc(doc_id))
        self.catalog.clear_pending([doc_id])

    def remove_missing(self, root: str, seen: Iterable[str]) -> int:
        """Remove the documents of the files recorded under ``root`` that are not in
        ``seen`` (and that still own them), and forget those files; returns documents
        removed."""
        seen = set(seen)
        removed = 0
        for path, doc_ids in self.catalog.sources_under(root).items():
            if path in seen:
                continue
            for doc_id in doc_ids:
                if self.catalog.document_owner(doc_id) == path:
                    self.remove(doc_id)
                    removed += 1
            self.catalog.forget_source(path)
        return removed

    def hand_over(self, doc_id: str, old_path: str, new_path: str, source: str | None) -> None:
        """Move a document to another source file (see :meth:`Catalog.hand_over`)."""
        self.catalog.hand_over(doc_id, old_path, new_path, source)

    def record_source(self, path: str, root: str, file_hash: str, doc_ids: Sequence[str]) -> None:
        """Record a source file's hash and documents in the manifest."""
        self.catalog.record_source(path, root, file_hash, doc_ids)

    @locked
    def reconcile(self) -> int:
        """Delete what an interrupted run left uncommitted in the derived indexes; returns
        documents repaired."""
        pending = self.catalog.pending()
        self.prune(pending)
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

    @locked
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
