"""Hybrid search over one collection: lexical + dense, fused per document."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

from cxrag.documents import split_chunk_id, version_of
from cxrag.embed.base import Embedder, Vectors
from cxrag.index.catalog import Catalog, Filters, StoredChunk
from cxrag.index.legs import LanguageLeg
from cxrag.index.lexical import LexicalIndex
from cxrag.index.vectors import VectorHit, VectorIndex
from cxrag.language import detect_language
from cxrag.metrics import timed_leg
from cxrag.retrieve.fusion import Fusion, Signal, Weights, fuse, top2, zscores
from cxrag.retrieve.relevance import MODEL_ID as RELEVANCE_MODEL
from cxrag.retrieve.relevance import relevance

Mode = Literal["hybrid", "lexical", "dense"]
_CONTEXT_TURNS = 3  # earlier turns that join a follow-up's lexical query
_TURN_CHARS = 500  # of each (bounded work for any caller)


@lru_cache(maxsize=1)
def _legs() -> ThreadPoolExecutor:
    """Threads for the retrieval legs that run beside the query embedding: tantivy, Chroma,
    onnxruntime and SQLite release the GIL, so the legs overlap on a second core. Shared by
    every retriever; sized for several concurrent searches."""
    return ThreadPoolExecutor(8, thread_name_prefix="cxrag-search")


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
class Evidence:
    """What the legs found for one query (live candidates only), before fusion."""

    query_language: str
    lexical: dict[str, float]
    """chunk id -> BM25 score"""
    dense: dict[str, float]
    """chunk id -> cosine of the chunk vector"""
    chunk_doc: dict[str, str]
    titles: dict[str, float]
    """document id -> cosine of its title vector (chunk-level evidence)"""
    centroids: dict[str, float]
    """document id -> cosine of its centroid (the document's own signal)"""
    doc_language: dict[str, str]
    doc_type: dict[str, str]
    model_id: str = ""
    leg: dict[str, float] = field(default_factory=dict)
    """chunk id -> cosine in the second dense leg of the query's language (``LanguageLeg``);
    empty without one"""

    @property
    def relevance(self) -> float | None:
        """P(something relevant was found) (``retrieve.relevance``); None without the dense
        legs or with an embedder the score was not fitted for."""
        if self.model_id != RELEVANCE_MODEL or not self.dense:
            return None
        return relevance(max(self.dense.values()), max(self.centroids.values(), default=0.0))

    def per_document(self) -> tuple[dict[str, float], dict[str, float]]:
        """(lexical, dense-chunk) evidence per document: best chunk plus a little for a
        strong runner-up; a title vector counts as one more dense chunk."""
        lex: dict[str, list[float]] = defaultdict(list)
        dense: dict[str, list[float]] = defaultdict(list)
        for cid, value in self.lexical.items():
            lex[self.chunk_doc[cid]].append(value)
        for cid, value in self.dense.items():
            dense[self.chunk_doc[cid]].append(value)
        for doc_id, value in self.titles.items():
            dense[doc_id].append(value)
        return {d: top2(v) for d, v in lex.items()}, {d: top2(v) for d, v in dense.items()}

    def leg_per_document(self) -> dict[str, float]:
        """The second leg's evidence per document (best chunk plus a little for a strong
        runner-up, as the dense chunks')."""
        by_doc: dict[str, list[float]] = defaultdict(list)
        for cid, value in self.leg.items():
            by_doc[self.chunk_doc[cid]].append(value)
        return {d: top2(v) for d, v in by_doc.items()}


@dataclass
class SearchResult:
    """Hits plus what the search did."""

    hits: list[SearchHit]
    query_language: str
    took_ms: float
    relevance: float | None = None
    """P(something relevant was found): low means the knowledge base likely cannot answer."""


def _where(filters: Filters) -> dict[str, Any] | None:
    clauses = [{k: v} for k in ("language", "doc_type", "product")
               if (v := getattr(filters, k)) is not None]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class HybridRetriever:
    """Searches a collection and fuses lexical and dense evidence.

    Candidates come as ids from the lexical and vector indexes; the ids carry document and
    version, so one catalogue query tells committed candidates from stale ones and gives the
    documents' languages and tags. Only the final hits' text is read from the catalogue.
    """

    def __init__(self, catalog: Catalog, index: VectorIndex, lexical: LexicalIndex,
                 embedder: Embedder, weights: Weights, languages: list[str],
                 candidates: int = 80, mode: Mode = "hybrid", fusion: Fusion = fuse,
                 legs: Sequence[LanguageLeg] = ()):
        self.catalog, self.index, self.lexical, self.embedder = catalog, index, lexical, embedder
        self.fusion = fusion
        self.legs = {leg.language: leg for leg in legs}
        self.weights, self.languages = weights, languages
        self.candidates, self.mode = candidates, mode

    def search(self, query: str, k: int = 5, filters: Filters | None = None,
               group_by_document: bool = True, mode: Mode | None = None,
               vector: Vectors | None = None, context: Sequence[str] = ()) -> SearchResult:
        """Top ``k`` documents (or chunks) for ``query`` (``vector``: its embedding, when the
        caller already has it; ``context``: the customer's earlier turns, searched as words
        beside the query)."""
        started = time.perf_counter()
        filters = filters or Filters()
        evidence = self.evidence(query, filters, mode, vector, context)
        hits = self._rank(evidence, k, group_by_document)
        return SearchResult(hits, evidence.query_language,
                            (time.perf_counter() - started) * 1000, evidence.relevance)

    def evidence(self, query: str, filters: Filters | None = None, mode: Mode | None = None,
                 vector: Vectors | None = None, context: Sequence[str] = ()) -> Evidence:
        """What each leg finds for ``query``, live candidates only, before fusion.
        ``context`` (earlier turns): a follow-up's topic words are in the turns before it, so
        the last three join its lexical query (BM25 R@5 on mtrag_fiqa_clapnq 0.76 -> 0.79)
        and the last one its embedding, unless ``vector`` is given."""
        filters, mode = filters or Filters(), mode or self.mode
        lang = detect_language(query, self.languages)
        turns = [turn[:_TURN_CHARS] for turn in context[-_CONTEXT_TURNS:]]
        words = " ".join([*turns, query])
        lexical: list[tuple[str, float]] = []
        dense: list[VectorHit] = []
        doc_hits: list[VectorHit] = []
        leg_hits: list[VectorHit] = []
        lexical_search = timed_leg("lexical", self.lexical.search)
        if mode == "lexical":
            lexical = lexical_search(words, lang, self.candidates, filters)
        else:
            # Three legs, two at a time: the lexical search runs while the query is embedded
            # and the chunk vectors searched; the document vectors are searched beside the
            # chunk vectors (at 100k chunks: p50 16.5 ms one after another, 11-13 ms so).
            pool = _legs()
            lexical_leg = (pool.submit(lexical_search, words, lang, self.candidates,
                                       filters) if mode == "hybrid" else None)
            where = _where(filters)
            # The second leg of the question's language (``cxrag.index.legs``), beside the
            # others: its own model embeds the question (with the turn before it, as below)
            # and searches its own index.
            second = (pool.submit(self._leg_search, leg, " ".join([*turns[-1:], query]), where)
                      if (leg := self.legs.get(lang)) is not None else None)
            if vector is None:
                # A follow-up is embedded with the turn before it (R@5 0.79 -> 0.82 dense on
                # mtrag_fiqa_clapnq); more turns blur it.
                vector = timed_leg("embed_query", self.embedder.embed_query)(
                    " ".join([*turns[-1:], query]))
            docs_leg = pool.submit(timed_leg("documents", self.index.query_docs), vector,
                                   2 * self.candidates, where)
            dense = timed_leg("chunks", self.index.query_chunks)(vector, self.candidates, where)
            doc_hits = docs_leg.result()
            lexical = lexical_leg.result() if lexical_leg is not None else []
            leg_hits = second.result() if second is not None else []
        return self._live(lexical, dense, doc_hits, filters, lang, leg_hits)

    def _leg_search(self, leg: LanguageLeg, text: str,
                    where: dict[str, Any] | None) -> list[VectorHit]:
        near = timed_leg("leg_embed_query", leg.embedder.embed_query)(text)
        return timed_leg("leg_chunks", leg.index.query_chunks)(near, self.candidates, where)

    def _live(self, lexical_hits: list[tuple[str, float]], dense_hits: list[VectorHit],
              doc_hits: list[VectorHit], filters: Filters, lang: str,
              leg_hits: Sequence[VectorHit] = ()) -> Evidence:
        lexical_ids = {cid: split_chunk_id(cid) for cid, _ in lexical_hits}
        doc_ids = ({d for d, _ in lexical_ids.values()} | {h.doc_id for h in dense_hits}
                   | {h.doc_id for h in leg_hits})
        states = self.catalog.document_states(sorted(doc_ids | {h.doc_id for h in doc_hits}))

        def live(doc_id: str, version: str) -> bool:
            """Committed in the catalogue (not a stale or in-flight version) and tag-matching."""
            state = states.get(doc_id)
            return (state is not None and version_of(state.content_hash) == version
                    and (filters.tag is None or filters.tag in state.tags))

        lexical = {c: s for c, s in lexical_hits if live(*lexical_ids[c])}
        dense = {h.id: h.score for h in dense_hits if live(h.doc_id, h.version)}
        chunk_doc = {c: lexical_ids[c][0] for c in lexical}
        chunk_doc.update({h.id: h.doc_id for h in dense_hits if h.id in dense})
        leg = {h.id: h.score for h in leg_hits if live(h.doc_id, h.version)}
        chunk_doc.update({h.id: h.doc_id for h in leg_hits if h.id in leg})
        titles: dict[str, float] = {}
        centroids: dict[str, float] = {}
        for h in doc_hits:
            if live(h.doc_id, h.version):
                (titles if h.kind == "title" else centroids)[h.doc_id] = h.score
        return Evidence(lang, lexical, dense, chunk_doc, titles, centroids,
                        {d: st.language for d, st in states.items()},
                        {d: st.doc_type for d, st in states.items()}, self.embedder.model_id,
                        leg)

    def rank_documents(self, evidence: Evidence) -> dict[str, float]:
        """Fused score per candidate document (past tickets lowered by the ticket penalty)."""
        by_doc_lex, by_doc_dense = evidence.per_document()
        leg = self.legs.get(evidence.query_language)
        extra = ((Signal(leg.weight, evidence.leg_per_document(),
                         self._blind(evidence, leg.language)),)
                 if leg is not None and evidence.leg else ())
        fused = self.fusion(by_doc_lex, by_doc_dense, evidence.centroids, self.weights, extra)
        return {doc_id: score - self._penalty(evidence, doc_id) for doc_id, score in fused.items()}

    @staticmethod
    def _blind(evidence: Evidence, language: str) -> set[str]:
        """The candidates a leg for ``language`` cannot judge: documents in another language
        (an English question over a Spanish-only page: without this, the page sat at the
        English leg's floor and R@5 on the project's mixed-language set fell 0.976 -> 0.916)."""
        return {d for d, lang in evidence.doc_language.items() if lang != language}

    def _penalty(self, evidence: Evidence, doc_id: str) -> float:
        """What a past ticket's score loses (``Weights.ticket_penalty``); 0 for an article."""
        return self.weights.ticket_penalty if evidence.doc_type.get(doc_id) == "ticket" else 0.0

    def _rank(self, evidence: Evidence, k: int, group: bool) -> list[SearchHit]:
        fused = self.rank_documents(evidence)
        chunk_doc = evidence.chunk_doc
        chunk_score = self._chunk_scores(chunk_doc, evidence)
        if group:
            best: dict[str, str] = {}
            for cid, doc_id in chunk_doc.items():
                if doc_id not in best or chunk_score[cid] > chunk_score[best[doc_id]]:
                    best[doc_id] = cid
            ranked = sorted((d for d in fused if d in best), key=lambda d: -fused[d])[:k]
            picked = [(best[d], fused[d]) for d in ranked]
        else:
            # A chunk ranks by its document's score plus its own evidence; a ticket's own
            # evidence carries the ticket penalty too. Without it a ticket chunk that repeats
            # the question's words (customers write like customers) came back above the
            # articles the document ranking put first: tickets were in the prompt for 8 of the
            # golden set's 54 questions (the first passage for 5), the answer of none.
            scored = {c: fused.get(d, 0.0) + chunk_score[c] - self._penalty(evidence, d)
                      for c, d in chunk_doc.items()}
            picked = sorted(scored.items(), key=lambda item: -item[1])[:k]
        stored = self.catalog.fetch_chunks([c for c, _ in picked])
        return [self._hit(stored[c], score) for c, score in picked if c in stored]

    def _chunk_scores(self, chunks: Iterable[str], evidence: Evidence) -> dict[str, float]:
        lz, dz, ez = zscores(evidence.lexical), zscores(evidence.dense), zscores(evidence.leg)
        lmin = min(lz.values(), default=0.0)
        dmin = min(dz.values(), default=0.0)
        emin = min(ez.values(), default=0.0)
        w = self.weights
        leg = self.legs.get(evidence.query_language)
        ew = leg.weight if leg is not None and ez else 0.0
        blind = self._blind(evidence, leg.language) if leg is not None and ez else set()
        return {c: w.lexical * lz.get(c, lmin) + (w.dense_chunk + w.dense_doc) * dz.get(c, dmin)
                + ew * ez.get(c, 0.0 if evidence.chunk_doc.get(c) in blind else emin)
                for c in chunks}

    @staticmethod
    def _hit(chunk: StoredChunk, score: float) -> SearchHit:
        return SearchHit(chunk.doc_id, chunk.chunk_id, chunk.title, chunk.source, round(score, 4),
                         chunk.text, chunk.language, chunk.doc_type, chunk.headings, chunk.tags,
                         chunk.product, chunk.updated_at)
