"""The lexical index: BM25 over stemmed, accent-folded terms, in tantivy.

tantivy (the Rust engine behind Quickwit) was chosen by measurement over SQLite FTS5 and
bm25s (``benchmarks/lexical_engines.py``, figures in docs/benchmarks.md): it is persistent and
incremental (segments, deletes by term, background merges) and its block-max WAND top-k keeps a
query under a millisecond at 100k chunks, where FTS5 ranks every matching row before the LIMIT
and bm25s cannot add or delete a document without a rebuild.

Like the vector index, it is derived from the catalogue, which stays the commit point: entries
are written before a document's catalogue transaction, and ids carry the document version, so
search ignores anything not committed and the ingest's prune step deletes it. A missing or empty
lexical index over a non-empty catalogue is rebuilt from the catalogue.

The text is analysed by cxrag (``index.text.analyse``) and stored as whitespace-separated
terms, so the engine's own tokenizer never second-guesses the per-language stemming.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import structlog
import tantivy

from cxrag.errors import IndexUnavailable
from cxrag.index.catalog import Filters
from cxrag.index.text import analyse

log = structlog.get_logger(__name__)
FIELD_WEIGHTS = {"title": 2.0, "headings": 1.5, "body": 1.0}
_WRITER_HEAP = 32_000_000  # bytes; tantivy's floor is 15 MB per indexing thread


@dataclass(frozen=True)
class LexicalEntry:
    """One chunk as the lexical index sees it: text to match and fields to filter on."""

    chunk_id: str
    doc_id: str
    title: str
    headings: tuple[str, ...]
    text: str
    language: str
    doc_type: str
    product: str | None = None
    tags: tuple[str, ...] = ()


def analysed_fields(e: LexicalEntry) -> dict[str, list[str]]:
    """The terms each text field of ``e`` is indexed under (``FIELD_WEIGHTS``' fields), the
    same for every lexical engine."""
    return {"title": analyse(e.title, e.language),
            "headings": analyse(" ".join(e.headings), e.language),
            "body": analyse(e.text, e.language)}


class LexicalIndex(Protocol):
    """What retrieval and ingestion need from a lexical index."""

    def add(self, entries: Sequence[LexicalEntry]) -> None: ...
    def ids_for_doc(self, doc_id: str) -> list[str]: ...
    def delete(self, chunk_ids: Sequence[str]) -> None: ...
    def search(self, query: str, lang: str, k: int,
               filters: Filters | None = None) -> list[tuple[str, float]]: ...
    def count(self) -> int: ...
    def reset(self) -> None: ...
    def refresh_statistics(self) -> None: ...


def _schema() -> Any:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("chunk_id", tokenizer_name="raw", stored=True)
    sb.add_text_field("doc_id", tokenizer_name="raw")
    for name in FIELD_WEIGHTS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in ("language", "doc_type", "product", "tag"):
        sb.add_text_field(name, tokenizer_name="raw")
    return sb.build()


class TantivyIndex:
    """A LexicalIndex in one tantivy directory. Readers never block; one writer at a time
    (across processes too: tantivy's lock file), taken per write and retried while busy."""

    def __init__(self, path: Path, lock_timeout_s: float = 60.0) -> None:
        self.path = path
        self.lock_timeout_s = lock_timeout_s
        self._schema = _schema()
        self._lock = threading.Lock()
        try:
            path.mkdir(parents=True, exist_ok=True)
            try:
                self._index = tantivy.Index(self._schema, path=str(path), reuse=True)
            except ValueError as exc:
                if "schema does not match" not in str(exc):
                    raise
                # Derived data from an older cxrag: start afresh, the catalogue refills it.
                log.warning("lexical.schema_changed", path=str(path))
                self._index = tantivy.Index(self._schema, path=str(path), reuse=False)
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"cannot open the lexical index at {path}: {exc}") from exc

    # -- writes -------------------------------------------------------------------------------
    @contextmanager
    def _writer(self) -> Iterator[Any]:
        """A writer that commits on success and rolls back on error, then frees the lock."""
        with self._lock:
            deadline = time.monotonic() + self.lock_timeout_s
            while True:
                try:
                    writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
                    break
                except ValueError as exc:  # LockBusy: another process is writing
                    if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                        raise IndexUnavailable(
                            f"the lexical index at {self.path} is locked by another writer: {exc}"
                        ) from exc
                    time.sleep(0.05)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # consumes the writer: frees the lock
            self._index.reload()

    def add(self, entries: Sequence[LexicalEntry]) -> None:
        """Index chunks, replacing what is indexed under the same chunk ids (a document
        re-written with unchanged content keeps its chunk ids)."""
        if not entries:
            return
        with self._writer() as writer:
            for e in entries:
                # A delete only touches documents added before it, so this never drops ``e``.
                writer.delete_documents_by_term("chunk_id", e.chunk_id)
                writer.add_document(self._document(e))

    def _document(self, e: LexicalEntry) -> Any:
        doc = tantivy.Document(
            chunk_id=e.chunk_id, doc_id=e.doc_id, language=e.language, doc_type=e.doc_type,
            **{field: " ".join(terms) for field, terms in analysed_fields(e).items()})
        if e.product:
            doc.add_text("product", e.product)
        for tag in e.tags:
            doc.add_text("tag", tag)
        return doc

    def delete(self, chunk_ids: Sequence[str]) -> None:
        """Remove chunks by id (unknown ids are ignored)."""
        if not chunk_ids:
            return
        with self._writer() as writer:
            for chunk_id in chunk_ids:
                writer.delete_documents_by_term("chunk_id", chunk_id)

    def reset(self) -> None:
        """Remove everything."""
        with self._writer() as writer:
            writer.delete_all_documents()

    def refresh_statistics(self) -> None:
        """Nothing to do: tantivy keeps what it ranks by up to date itself."""

    # -- reads --------------------------------------------------------------------------------
    def _searcher(self) -> Any:
        self._index.reload()  # ~20 us; picks up commits from other processes
        return self._index.searcher()

    def _ids(self, searcher: Any, query: Any, limit: int) -> list[tuple[str, float]]:
        hits = searcher.search(query, limit, count=False).hits  # counting defeats top-k pruning
        return [(searcher.doc(addr)["chunk_id"][0], float(score)) for score, addr in hits]

    def ids_for_doc(self, doc_id: str) -> list[str]:
        """Chunk ids indexed for a document, committed in the catalogue or not."""
        searcher = self._searcher()
        query = tantivy.Query.term_query(self._schema, "doc_id", doc_id, index_option="basic")
        n = searcher.search(query, 1, count=True).count or 0
        return [cid for cid, _ in self._ids(searcher, query, n)] if n else []

    def search(self, query: str, lang: str, k: int,
               filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the top ``k`` chunks, best first."""
        terms = sorted(set(analyse(query, lang)))
        if not terms or k <= 0:
            return []
        q = tantivy.Query
        should = [
            (tantivy.Occur.Should,
             q.boost_query(q.term_query(self._schema, field, term, index_option="freq"), weight))
            for term in terms for field, weight in FIELD_WEIGHTS.items()
        ]
        query_obj = q.boolean_query(should)
        musts = [
            (tantivy.Occur.Must,
             q.const_score_query(q.term_query(self._schema, field, value, index_option="basic"),
                                 0.0))
            for field, value in self._filter_terms(filters or Filters())
        ]
        if musts:
            query_obj = q.boolean_query([(tantivy.Occur.Must, query_obj), *musts])
        return self._ids(self._searcher(), query_obj, k)

    @staticmethod
    def _filter_terms(filters: Filters) -> list[tuple[str, str]]:
        pairs = [("language", filters.language), ("doc_type", filters.doc_type),
                 ("product", filters.product), ("tag", filters.tag)]
        return [(field, value) for field, value in pairs if value is not None]

    def count(self) -> int:
        """Number of indexed chunks."""
        return int(self._searcher().num_docs)
