"""Hybrid search over one collection: lexical + dense, fused per document."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Literal

from cxrag.embed.base import Embedder
from cxrag.index.catalog import Catalog, Filters, StoredChunk
from cxrag.index.vectors import VectorHit, VectorIndex
from cxrag.ingest.models import version_of
from cxrag.language import detect_language
from cxrag.retrieve.fusion import Weights, fuse, top2, zscores

Mode = Literal["hybrid", "lexical", "dense"]


@dataclass(frozen=True)
class SearchHit:
    """One result: a document (or chunk) with its best passage."""

    document_id: str
    chunk_id: str
    title: str
    source: str
    score: float
    text: str
    language: str
    doc_type: str
    headings: tuple[str, ...]
    tags: tuple[str, ...]
    product: str | None
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out = asdict(self)
        out["headings"], out["tags"] = list(self.headings), list(self.tags)
        return out


@dataclass
class SearchResult:
    """Hits plus what the search did."""

    hits: list[SearchHit]
    query_language: str
    took_ms: float


def _where(filters: Filters) -> dict[str, Any] | None:
    clauses = [{k: v} for k in ("language", "doc_type", "product")
               if (v := getattr(filters, k)) is not None]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class HybridRetriever:
    """Searches a collection and fuses lexical and dense evidence."""

    def __init__(self, catalog: Catalog, index: VectorIndex, embedder: Embedder,
                 weights: Weights, languages: list[str], candidates: int = 80,
                 mode: Mode = "hybrid"):
        self.catalog, self.index, self.embedder = catalog, index, embedder
        self.weights, self.languages = weights, languages
        self.candidates, self.mode = candidates, mode

    def search(self, query: str, k: int = 5, filters: Filters | None = None,
               group_by_document: bool = True, mode: Mode | None = None) -> SearchResult:
        """Top ``k`` documents (or chunks) for ``query``."""
        started = time.perf_counter()
        filters, mode = filters or Filters(), mode or self.mode
        lang = detect_language(query, self.languages)
        lexical: dict[str, float] = {}
        dense: dict[str, float] = {}
        doc_hits: list[VectorHit] = []
        if mode != "dense":
            lexical = dict(self.catalog.lexical_search(query, lang, self.candidates, filters))
        if mode != "lexical":
            vector = self.embedder.embed_query(query)
            where = _where(filters)
            dense = {h.id: h.score for h in self.index.query_chunks(vector, self.candidates, where)}
            doc_hits = self.index.query_docs(vector, 2 * self.candidates, where)
        stored = self.catalog.fetch_chunks(sorted(set(lexical) | set(dense)))
        if filters.tag is not None:
            stored = {c: s for c, s in stored.items() if filters.tag in s.tags}
        hits = self._rank(stored, lexical, dense, doc_hits, lang, k, group_by_document)
        return SearchResult(hits, lang, (time.perf_counter() - started) * 1000)

    def _rank(self, stored: dict[str, StoredChunk], lexical: dict[str, float],
              dense: dict[str, float], doc_hits: list[VectorHit], lang: str, k: int,
              group: bool) -> list[SearchHit]:
        by_doc_lex: dict[str, list[float]] = defaultdict(list)
        by_doc_dense: dict[str, list[float]] = defaultdict(list)
        for cid, chunk in stored.items():
            if cid in lexical:
                by_doc_lex[chunk.doc_id].append(lexical[cid])
            if cid in dense:
                by_doc_dense[chunk.doc_id].append(dense[cid])
        docs = {c.doc_id for c in stored.values()}
        states = self.catalog.document_states(sorted(docs | {h.doc_id for h in doc_hits}))
        # Only committed document versions count; a title vector is chunk-level evidence.
        doc_scores: dict[str, float] = {}
        for h in doc_hits:
            if h.doc_id not in states or version_of(states[h.doc_id][0]) != h.version:
                continue
            if h.kind == "title":
                by_doc_dense[h.doc_id].append(h.score)
            else:
                doc_scores[h.doc_id] = h.score
        languages = {d: lang for d, (_, lang) in states.items()}
        fused = fuse({d: top2(v) for d, v in by_doc_lex.items()},
                     {d: top2(v) for d, v in by_doc_dense.items()},
                     doc_scores, languages, lang, self.weights)
        chunk_score = self._chunk_scores(stored, lexical, dense)
        best: dict[str, str] = {}
        for cid, chunk in stored.items():
            if chunk.doc_id not in best or chunk_score[cid] > chunk_score[best[chunk.doc_id]]:
                best[chunk.doc_id] = cid
        if group:
            ranked = sorted((d for d in fused if d in best), key=lambda d: -fused[d])[:k]
            return [self._hit(stored[best[d]], fused[d]) for d in ranked]
        ranked_chunks = sorted(stored, key=lambda c: -(fused.get(stored[c].doc_id, 0.0)
                                                        + chunk_score[c]))[:k]
        return [self._hit(stored[c], fused.get(stored[c].doc_id, 0.0) + chunk_score[c])
                for c in ranked_chunks]

    def _chunk_scores(self, stored: dict[str, StoredChunk], lexical: dict[str, float],
                      dense: dict[str, float]) -> dict[str, float]:
        lz = zscores({c: lexical[c] for c in stored if c in lexical})
        dz = zscores({c: dense[c] for c in stored if c in dense})
        lmin = min(lz.values(), default=0.0)
        dmin = min(dz.values(), default=0.0)
        w = self.weights
        return {c: w.lexical * lz.get(c, lmin) + (w.dense_chunk + w.dense_doc) * dz.get(c, dmin)
                for c in stored}

    @staticmethod
    def _hit(chunk: StoredChunk, score: float) -> SearchHit:
        return SearchHit(chunk.doc_id, chunk.chunk_id, chunk.title, chunk.source, round(score, 4),
                         chunk.text, chunk.language, chunk.doc_type, chunk.headings, chunk.tags,
                         chunk.product, chunk.updated_at)
