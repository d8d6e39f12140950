"""Retrieval matrix: every mode over every retrieval set, in one run.

Sets: the shared benchmark sets (`stackfaq`, `mtrag_fiqa_clapnq` with and without its
conversation history, `gnome_help_es`, `gnome_help_es2en`, `bitext_triage_en`) and the
project's own `evals/retrieval/` (cross- and same-language queries over `knowledge/articles`).
Each knowledge base is ingested through the real pipeline (Chroma, tantivy, SQLite catalogue);
every query runs through the real legs once (``HybridRetriever.evidence``) and each fusion is
scored on that evidence, so modes differ only in how they rank. Chunks count at document level
(a document once). The MiniLM leg (English all-MiniLM-L6-v2, int8 ONNX) is embedded here, beside
the index, to measure what it would add before it is wired into the service.

Fusions with fitted parameters are chosen by leave-one-set-out: for each shared set, the
parameters are fitted on the other shared sets and scored on it (the project's own set is never
used for fitting). Latency: p50/p95 of the real ``search()`` per product mode.

    .venv/bin/python benchmarks/retrieval_matrix.py            # ~10 min the first time
    .venv/bin/python benchmarks/retrieval_matrix.py --rescore  # reuse the cached evidence

Writes bench-out/retrieval_matrix.json and prints the table.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import track

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ROOT, SHARED, HostSteal, pct, save  # noqa: E402

import cxrag  # noqa: E402,F401
from cxrag.embed.base import Vectors  # noqa: E402
from cxrag.evals.retrieval import recall_at, reciprocal_rank  # noqa: E402
from cxrag.knowledge import Knowledge, KnowledgeBase  # noqa: E402
from cxrag.retrieve.fusion import Signal, Weights, fuse, top2, zscores  # noqa: E402
from cxrag.retrieve.hybrid import Evidence, HybridRetriever  # noqa: E402
from cxrag.settings import ChunkingSettings, RetrievalSettings, Settings  # noqa: E402

CACHE = OUT / "retrieval-matrix"
SHARED_SETS = ["stackfaq", "mtrag", "mtrag+history", "gnome_es", "gnome_es2en", "bitext"]


@dataclass
class Query:
    id: str
    text: str
    relevant: list[str]
    history: list[str] = field(default_factory=list)


@dataclass
class SetSpec:
    name: str
    kb: Path
    queries: list[Query]
    collection: str
    with_history: bool = False


def _read(path: Path, prefix: str = "") -> list[Query]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(Query(prefix + str(row["id"]), row["text"], list(row.get("relevant", [])),
                             [t["text"] for t in row.get("history", []) if t["role"] == "user"]))
    return out


def sets() -> list[SetSpec]:
    d = SHARED
    mtrag = _read(d / "mtrag_fiqa_clapnq" / "queries.jsonl")
    own = (_read(ROOT / "evals/retrieval/crosslingual.jsonl", "x:")
           + _read(ROOT / "evals/retrieval/samelingual.jsonl", "s:"))
    return [
        SetSpec("stackfaq", d / "stackfaq/kb", _read(d / "stackfaq/queries.jsonl"), "m-stackfaq"),
        SetSpec("mtrag", d / "mtrag_fiqa_clapnq/kb", mtrag, "m-mtrag"),
        SetSpec("mtrag+history", d / "mtrag_fiqa_clapnq/kb", mtrag, "m-mtrag", True),
        SetSpec("gnome_es", d / "gnome_help_es/kb", _read(d / "gnome_help_es/queries.jsonl"),
                "m-gnome-es"),
        SetSpec("gnome_es2en", d / "gnome_help_es2en/kb",
                _read(d / "gnome_help_es2en/queries.jsonl"), "m-gnome-es2en"),
        SetSpec("bitext", d / "bitext_triage_en/kb", _read(d / "bitext_triage_en/queries.jsonl"),
                "m-bitext"),
        SetSpec("project", ROOT / "knowledge/articles", own, "m-project"),
    ]


# -- evidence -------------------------------------------------------------------------------
@dataclass
class Row:
    """One query's evidence from every leg."""

    query: Query
    evidence: Evidence
    minilm: dict[str, float]          # document -> top2 MiniLM chunk cosine
    legs_ms: float
    extra: dict[str, dict[str, float]] = field(default_factory=dict)
    """other brute-force candidate legs (name -> document -> top2 chunk cosine)"""


class MiniLmLeg:
    """Brute-force search over a collection's chunks with another embedding model (what a
    second dense index would return): MiniLM, or a candidate given by ``--extra``."""

    def __init__(self, kb: KnowledgeBase, model: Any) -> None:
        self.model = model
        chunks = [c for batch in kb.catalog.iter_chunks() for c in batch]
        self.doc = np.array([c.doc_id for c in chunks])
        self.texts = [f"{c.title}\n{c.text}" if c.title else c.text for c in chunks]
        t0 = time.perf_counter()
        self.vectors: Vectors = model.embed_documents(self.texts)
        self.embed_s = time.perf_counter() - t0

    def search(self, text: str, k: int = 80) -> dict[str, float]:
        sims = self.vectors @ self.model.embed_query(text)
        top = np.argsort(-sims)[:k]
        per: dict[str, list[float]] = {}
        for i in top:
            per.setdefault(str(self.doc[i]), []).append(float(sims[i]))
        return {d: top2(v) for d, v in per.items()}


def collect(knowledge: Knowledge, spec: SetSpec, minilm: Any | None,
            extra: Mapping[str, Any] | None = None) -> tuple[list[Row], dict[str, Any]]:
    """Ingest the set's knowledge base (incremental: a re-run reuses it) and run every query
    through the real legs once (the MiniLM leg too, unless ``minilm`` is None)."""
    kb = knowledge.get(spec.collection)
    t0 = time.perf_counter()
    report = kb.ingestor.run([spec.kb]).as_dict()
    ingest_s = time.perf_counter() - t0
    leg = MiniLmLeg(kb, minilm) if minilm is not None else None
    others = {name: MiniLmLeg(kb, model) for name, model in (extra or {}).items()}
    rows = []
    for q in track(spec.queries, description=f"{spec.name:14s}"):
        context = q.history if spec.with_history else []
        t = time.perf_counter()
        ev = kb.retriever.evidence(q.text, context=context)
        legs_ms = (time.perf_counter() - t) * 1000
        joined = " ".join([*context[-1:], q.text])
        near = leg.search(joined) if leg is not None else {}
        rows.append(Row(q, ev, near, legs_ms,
                        {name: other.search(joined) for name, other in others.items()}))
    chunks = (len(leg.doc) if leg is not None  # the leg has read them already
              else sum(len(batch) for batch in kb.catalog.iter_chunks()))
    info = {"documents": report["documents_seen"], "failed": report["failed"],
            "failures": [f"{Path(f['source']).name}: {f['code']}" for f in report["failures"]],
            "chunks": chunks, "ingest_s": round(ingest_s, 1), "queries": len(spec.queries),
            "unanswerable": sum(not q.relevant for q in spec.queries)}
    if leg is not None:
        # What a MiniLM leg would cost at ingest: both models on the same texts, one after
        # the other (chunks per second; the ingest itself embeds with the service's model).
        t0 = time.perf_counter()
        kb.retriever.embedder.embed_documents(leg.texts)
        speed = {"service_model": len(leg.texts) / (time.perf_counter() - t0),
                 "minilm": len(leg.texts) / leg.embed_s}
        speed.update({name: len(o.texts) / o.embed_s for name, o in others.items()})
        info["embed_chunks_per_s"] = {k: round(v, 1) for k, v in speed.items()}
    return rows, info


# -- fusions --------------------------------------------------------------------------------
Ranker = Callable[[Row], dict[str, float]]
NA = float("nan")
W = Weights()  # today's weights: lexical 0.3, dense chunk 0.4, dense document 0.3


def scored(rows: Sequence[Row], ranker: Ranker) -> dict[str, float]:
    """R@1, R@5 and MRR at document level over the answerable queries."""
    r1, r5, mrr = [], [], []
    applies = False
    for row in rows:
        rel = set(row.query.relevant)
        if not rel:
            continue
        fused = ranker(row)
        applies = applies or bool(fused)
        ranked = sorted(fused, key=lambda d: (-fused[d], d))[:10]
        r1.append(recall_at(ranked, rel, 1))
        r5.append(recall_at(ranked, rel, 5))
        mrr.append(reciprocal_rank(ranked, rel))
    if not applies:  # a leg for another language than every query's (MiniLM on Spanish)
        return {"R@1": NA, "R@5": NA, "MRR": NA}
    return {"R@1": float(np.mean(r1)), "R@5": float(np.mean(r5)), "MRR": float(np.mean(mrr))}


def legs_of(row: Row) -> dict[str, Mapping[str, float]]:
    lex, dense = row.evidence.per_document()
    ev = row.evidence
    chunks_only: dict[str, list[float]] = {}
    for cid, value in ev.dense.items():
        chunks_only.setdefault(ev.chunk_doc[cid], []).append(value)
    return {"lexical": lex, "dense_chunk": dense, "dense_doc": ev.centroids,
            "minilm": row.minilm if ev.query_language == "en" else {},
            # candidates: the title vector as its own signal, beside the chunk vectors alone
            "title": ev.titles, "chunks_only": {d: top2(v) for d, v in chunks_only.items()},
            **row.extra,
            **{f"{name} (en)": leg if ev.query_language == "en" else {}
               for name, leg in row.extra.items()}}


def single(leg: str) -> Ranker:
    return lambda row: dict(legs_of(row)[leg])


def zsum(weights: Mapping[str, float], confidence: bool = False, cross: str = "floor") -> Ranker:
    """Weighted z-score sum. ``confidence``: each leg's weight times its top z-score (a flat
    leg counts less). ``cross``: what a document in another language than the query gets from
    the lexical leg: "floor" (the list minimum when absent, as any document), "dense" (its
    dense evidence when absent: the rule of the default before 2026-12-03), "none" (nothing)."""
    def rank(row: Row) -> dict[str, float]:
        legs, ev = legs_of(row), row.evidence
        q = ev.query_language
        zs = {name: zscores(legs[name]) for name in weights if legs[name]}
        docs = set().union(*zs.values()) if zs else set()
        eff = {n: weights[n] * (max(max(z.values()), 0.0) if confidence else 1.0)
               for n, z in zs.items()}
        floors = {n: min(z.values()) for n, z in zs.items()}
        out = {}
        for d in docs:
            parts = {n: z.get(d, floors[n]) for n, z in zs.items()}
            other = ev.doc_language.get(d, q) not in (q, "und") and q != "und"
            if other and "lexical" in parts:
                if cross == "none":
                    parts["lexical"] = 0.0
                elif cross == "dense" and d not in zs["lexical"]:
                    dw = weights.get("dense_chunk", 0) + weights.get("dense_doc", 0)
                    parts["lexical"] = sum(weights.get(n, 0) * parts.get(n, 0)
                                           for n in ("dense_chunk", "dense_doc")) / dw
            out[d] = sum(eff[n] * v for n, v in parts.items())
        return out
    return rank


def rrf(weights: Mapping[str, float], k: int = 60) -> Ranker:
    """Reciprocal-rank fusion."""
    def rank(row: Row) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, w in weights.items():
            leg = legs_of(row)[name]
            for r, d in enumerate(sorted(leg, key=lambda d: -leg[d]), 1):
                out[d] = out.get(d, 0.0) + w / (k + r)
        return out
    return rank


def product(retriever_weights: Weights) -> Ranker:
    """What the service ranks (``HybridRetriever.rank_documents``'s fusion, tickets aside;
    with the English leg's evidence when the run has it, ``--english-leg``)."""
    leg_weight = RetrievalSettings().weight_english

    def rank(row: Row) -> dict[str, float]:
        ev = row.evidence
        lex, dense = ev.per_document()
        extra = ((Signal(leg_weight, ev.leg_per_document(), HybridRetriever._blind(ev, "en")),)
                 if getattr(ev, "leg", None) else ())
        return fuse(lex, dense, ev.centroids, retriever_weights, extra)
    return rank


def shaped(*, head: int | None = None, lexical: Callable[[float], float] | None = None,
           per_document: Callable[[list[float]], float] = top2,
           clip: float | None = None) -> Ranker:
    """The default's weighted z-score sum with one thing about the scores changed: z over each
    leg's ``head`` best documents only (the tail no longer sets the scale), the lexical scores
    reshaped (``lexical``: BM25 is heavy-tailed), another rule for a document's score from its
    chunks (``per_document``), or every z-score clipped to +-``clip`` (one leg cannot carry a
    document alone)."""
    def z(scores: Mapping[str, float]) -> dict[str, float]:
        if head is None or not scores:
            return zscores(scores)
        top = sorted(scores.values(), reverse=True)[:head]
        mean, std = float(np.mean(top)), float(np.std(top))
        return (dict.fromkeys(scores, 0.0) if std < 1e-9
                else {d: (v - mean) / std for d, v in scores.items()})

    def rank(row: Row) -> dict[str, float]:
        ev = row.evidence
        lex: dict[str, list[float]] = {}
        dense: dict[str, list[float]] = {}
        for cid, value in ev.lexical.items():
            lex.setdefault(ev.chunk_doc[cid], []).append(lexical(value) if lexical else value)
        for cid, value in ev.dense.items():
            dense.setdefault(ev.chunk_doc[cid], []).append(value)
        for doc, value in ev.titles.items():
            dense.setdefault(doc, []).append(value)
        legs = {"lexical": z({d: per_document(v) for d, v in lex.items()}),
                "dense_chunk": z({d: per_document(v) for d, v in dense.items()}),
                "dense_doc": z(dict(ev.centroids))}
        legs = {n: ({d: min(max(v, -clip), clip) for d, v in zs.items()} if clip else zs)
                for n, zs in legs.items() if zs}
        floors = {n: min(zs.values()) for n, zs in legs.items()}
        docs = set().union(*legs.values()) if legs else set()
        return {d: sum(USE3[n] * zs.get(d, floors[n]) for n, zs in legs.items()) for d in docs}
    return rank


USE3 = {"lexical": W.lexical, "dense_chunk": W.dense_chunk, "dense_doc": W.dense_doc}
EQUAL3 = dict.fromkeys(USE3, 1 / 3)
SINGLE = ["lexical", "dense_chunk", "dense_doc", "minilm"]
CANDIDATES: dict[str, Ranker] = {
    "dense (USE chunk+doc)": zsum({"dense_chunk": 0.5, "dense_doc": 0.5}),
    "default before": zsum(USE3, cross="dense"),
    "default": product(W),
    "z equal weights": zsum(EQUAL3),
    "z lexical off across languages": zsum(USE3, cross="none"),
    "z x leg confidence": zsum(USE3, confidence=True),
    "rrf": rrf(EQUAL3),
    "default + minilm": zsum({**USE3, "minilm": 0.25}),
    "rrf + minilm": rrf({**EQUAL3, "minilm": 1 / 3}),
    "title leg 0.1": zsum({"lexical": 0.3, "chunks_only": 0.4, "dense_doc": 0.3, "title": 0.1}),
    "title leg 0.2": zsum({"lexical": 0.3, "chunks_only": 0.4, "dense_doc": 0.3, "title": 0.2}),
    "title leg, refit": zsum({"lexical": 0.4, "chunks_only": 0.4, "dense_doc": 0.15,
                              "title": 0.2}),
    # the default's fusion with the scores shaped otherwise (2026-12-05 21:20)
    "z over each leg's top 20": shaped(head=20),
    "z over each leg's top 40": shaped(head=40),
    "lexical sqrt(BM25)": shaped(lexical=lambda v: float(np.sqrt(max(v, 0.0)))),
    "lexical log(1+BM25)": shaped(lexical=lambda v: float(np.log1p(max(v, 0.0)))),
    "document = best chunk": shaped(per_document=max),
    "z clipped at 3": shaped(clip=3.0),
}


class WordLlamaModel:
    """WordLlama (static token embeddings, 256-d; the ``wordllama`` package's own weights and
    tokenizer, read from the package: its loader looks for the tokenizer in a folder the wheel
    does not have and would download it)."""

    def __init__(self) -> None:
        import wordllama
        from safetensors import safe_open
        from wordllama import WordLlama
        from wordllama.inference import WordLlamaInference

        root = Path(wordllama.__file__).parent
        tokenizer = WordLlama.load_tokenizer(root / "tokenizers/l2_supercat_tokenizer_config.json")
        with safe_open(root / "weights/l2_supercat_256.safetensors", framework="np") as f:
            table = f.get_tensor("embedding.weight")
        self.model = WordLlamaInference(table, tokenizer, binary=False)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return np.asarray(self.model.embed(list(texts), norm=True), dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        return self.embed_documents([text])[0]


EXTRA_MODELS: dict[str, Callable[[], Any]] = {"wordllama": WordLlamaModel}


def extra_candidates(names: Sequence[str]) -> dict[str, Ranker]:
    """The default plus each extra leg (for every query, or English queries only)."""
    out: dict[str, Ranker] = {}
    for name in names:
        for leg in (name, f"{name} (en)"):
            for w in (0.15, 0.25, 0.35):
                out[f"default + {leg} {w}"] = zsum({**USE3, leg: w})
    return out


def loso_weights(data: dict[str, list[Row]]) -> dict[str, dict[str, Any]]:
    """Leave-one-set-out: weights fitted (0.1 grid) on the other shared sets, scored on the
    held-out one (mtrag with and without history are held out together)."""
    grid = [dict(zip(USE3, (a, b, round(1 - a - b, 1)), strict=True))
            for a in np.arange(0.1, 0.81, 0.1) for b in np.arange(0.1, 0.81, 0.1)
            if 1 - a - b > 0.05]
    table = [{n: scored(rows, zsum(w))["R@5"] for n, rows in data.items()} for w in grid]
    out = {}
    for held in ("stackfaq", "mtrag", "gnome_es", "gnome_es2en", "bitext"):
        out_sets = [n for n in SHARED_SETS if n.split("+")[0] == held]
        train = [n for n in SHARED_SETS if n not in out_sets]
        best = max(range(len(grid)), key=lambda i: float(np.mean([table[i][n] for n in train])))
        for n in out_sets:
            out[n] = {"weights": {k: round(v, 1) for k, v in grid[best].items()},
                      "R@5": table[best][n]}
    return out


# -- abstention -----------------------------------------------------------------------------
def features(ev: Evidence, exclude: set[str] = frozenset()) -> list[float]:  # type: ignore[assignment]
    """Retrieval evidence that something relevant was found: the best chunk's and the best
    document centroid's cosine (documents in ``exclude`` left out)."""
    dense = [v for c, v in ev.dense.items() if ev.chunk_doc[c] not in exclude]
    cent = [v for d, v in ev.centroids.items() if d not in exclude]
    return [max(dense, default=0.0), max(cent, default=0.0)]


def abstention(data: dict[str, list[Row]]) -> dict[str, Any]:
    """Fit a logistic model on sets without real unanswerable queries, each answerable query
    twice: as is, and with its relevant documents removed (what retrieval sees when the
    knowledge base cannot answer); score it on mtrag's real unanswerable turns (held out)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    x, y = [], []
    for name in ("stackfaq", "gnome_es", "gnome_es2en", "bitext"):
        for row in data[name]:
            x.append(features(row.evidence))
            y.append(1)
            x.append(features(row.evidence, set(row.query.relevant)))
            y.append(0)
    model = LogisticRegression().fit(np.array(x), np.array(y))
    coef = [round(float(c), 3) for c in (model.intercept_[0], *model.coef_[0])]
    out: dict[str, Any] = {"fitted_on": "stackfaq, gnome_es, gnome_es2en, bitext (simulated)",
                           "coefficients [intercept, top chunk, top centroid]": coef}
    for name in ("mtrag", "mtrag+history"):
        rows = data[name]
        truth = [1 if r.query.relevant else 0 for r in rows]
        product_scores = [r.evidence.relevance for r in rows]
        refit = model.predict_proba(np.array([features(r.evidence) for r in rows]))[:, 1]
        out[name] = {"auroc (service score)": round(float(roc_auc_score(truth, product_scores)), 3),
                     "auroc (this fit)": round(float(roc_auc_score(truth, refit)), 3),
                     "unanswerable": truth.count(0), "answerable": truth.count(1)}
    return out


def thresholds(knowledge: Knowledge, data: dict[str, list[Row]]) -> list[dict[str, Any]]:
    """What each ``retrieval.min_relevance`` would hand over early, without the model: the
    golden set's cases (frustrated ones aside: they go to a person anyway) searched over the
    eval knowledge as the chat searches them, and mtrag's turns with their conversation."""
    import yaml

    kb = knowledge.get("m-golden")
    kb.ingestor.run([ROOT / "knowledge/articles", ROOT / "knowledge/tickets"])
    cases = yaml.safe_load((ROOT / "evals/golden.yaml").read_text(encoding="utf-8"))["cases"]
    golden = []
    for case in cases:
        if case["category"] == "frustrated":
            continue
        turns = [t["text"] for t in case.get("history", []) if t.get("role") == "customer"]
        found = kb.retriever.search(case["message"], k=5, context=turns)
        golden.append((case["category"] != "unanswerable", found.relevance or 0.0))
    mtrag = [(bool(r.query.relevant), r.evidence.relevance or 0.0) for r in data["mtrag+history"]]
    out = []
    for t in (0.3, 0.35, 0.4, 0.45, 0.5):
        row: dict[str, Any] = {"threshold": t}
        for name, pairs in (("golden", golden), ("mtrag+history", mtrag)):
            answerable = [s for a, s in pairs if a]
            unanswerable = [s for a, s in pairs if not a]
            row[name] = {"answerable_lost": f"{sum(s < t for s in answerable)}/{len(answerable)}",
                         "unanswerable_caught":
                             f"{sum(s < t for s in unanswerable)}/{len(unanswerable)}"}
        out.append(row)
    return out


# -- latency --------------------------------------------------------------------------------
def latency(knowledge: Knowledge, per_set: int = 200) -> dict[str, dict[str, float]]:
    """p50/p95 of the real search() per mode, over up to ``per_set`` queries of every set."""
    out: dict[str, dict[str, float]] = {}
    for mode in ("lexical", "dense", "hybrid"):
        times: list[float] = []
        for spec in sets():
            retriever = knowledge.get(spec.collection).retriever
            for q in spec.queries[:per_set]:
                context = q.history if spec.with_history else []
                t = time.perf_counter()
                retriever.search(q.text, k=5, mode=mode, context=context)  # type: ignore[arg-type]
                times.append((time.perf_counter() - t) * 1000)
        out[mode] = {"p50_ms": round(pct(times, 50), 2), "p95_ms": round(pct(times, 95), 2),
                     "n": len(times)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rescore", action="store_true", help="reuse cached evidence")
    ap.add_argument("--chunk-tokens", type=int, default=None,
                    help="ingest with this chunk size (default: the service's); its own cache")
    ap.add_argument("--extra", action="append", default=[], choices=sorted(EXTRA_MODELS),
                    help="another candidate leg, embedded here beside the index")
    ap.add_argument("--english-leg", action="store_true",
                    help="ingest and search with the service's English leg on "
                         "(CXRAG_RETRIEVAL__ENGLISH_LEG): 'default' is then the service with "
                         "it; its own cache")
    ap.add_argument("--no-minilm", action="store_true",
                    help="leave the MiniLM leg out (its rows are n/a; much faster)")
    args = ap.parse_args()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    chunking = settings.chunking
    if args.chunk_tokens:
        chunking = chunking.model_copy(update={"max_tokens": args.chunk_tokens})
    default = ChunkingSettings().max_tokens  # the service's size keeps the plain names
    suffix = "" if chunking.max_tokens == default else f"-{chunking.max_tokens}"
    if args.english_leg:
        settings = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(
            update={"english_leg": True})})
        suffix += "-english-leg"
    cache = CACHE.with_name(CACHE.name + suffix)
    cache.mkdir(parents=True, exist_ok=True)
    evidence_file = cache / "evidence.pkl"
    knowledge = Knowledge(settings.model_copy(
        update={"data_dir": cache / "data", "chunking": chunking}))
    if args.rescore and evidence_file.exists():
        stored = pickle.loads(evidence_file.read_bytes())
    else:
        from cxrag.embed.onnx import MiniLmEnglishEmbedder

        minilm = None if args.no_minilm else MiniLmEnglishEmbedder()
        stored = {}
        for spec in sets():
            rows, info = collect(knowledge, spec, minilm,
                                 {name: EXTRA_MODELS[name]() for name in args.extra})
            stored[spec.name] = {"rows": rows, "info": info}
        evidence_file.write_bytes(pickle.dumps(stored))
    data = {n: e["rows"] for n, e in stored.items()}
    extra = sorted({name for rows in data.values() for row in rows[:1] for name in row.extra})
    modes: dict[str, Ranker] = ({leg: single(leg) for leg in SINGLE + extra} | CANDIDATES
                                | extra_candidates(extra))
    matrix = {m: {n: scored(rows, r) for n, rows in data.items()} for m, r in modes.items()}
    loso = loso_weights(data)
    results: dict[str, Any] = {"sets": {n: e["info"] for n, e in stored.items()},
                               "matrix": matrix, "loso_weights": loso}
    for row in matrix.values():
        row["macro"] = {k: float(np.nanmean([row[n][k] for n in data]))
                        for k in ("R@1", "R@5", "MRR")}
    best_single = {n: float(np.nanmax([matrix[leg][n]["R@5"] for leg in SINGLE])) for n in data}
    best_use = {n: max(matrix[leg][n]["R@5"] for leg in SINGLE[:3]) for n in data}
    results["default_vs_best_single"] = {
        n: {"default": matrix["default"][n]["R@5"], "best_single": best_single[n],
            "best_single_use_legs": best_use[n]} for n in data}
    results["abstention"] = abstention(data)
    results["abstention"]["min_relevance"] = thresholds(knowledge, data)
    with HostSteal() as steal:
        results["latency"] = latency(knowledge)
    results["latency_host_steal"] = round(steal.share, 4)
    names = list(data)
    for metric in ("R@1", "R@5", "MRR"):
        print(f"{metric:30s}" + "".join(f"{n[:13]:>14s}" for n in names) + f"{'macro':>8s}")
        for m, row in matrix.items():
            print(f"{m:30s}" + "".join(f"{row[n][metric]:14.3f}" for n in names)
                  + f"{row['macro'][metric]:8.3f}")
    print(f"{'LOSO-fitted weights':30s}"
          + "".join(f"{loso[n]['R@5']:14.3f}" if n in loso else f"{'-':>14s}" for n in names))
    print(json.dumps({k: results[k] for k in ("abstention", "latency", "latency_host_steal")},
                     indent=1))
    results["chunk_tokens"] = chunking.max_tokens
    path = save("retrieval_matrix" + suffix, results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
