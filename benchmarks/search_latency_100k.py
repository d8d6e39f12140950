"""Search latency inside the service at scale: HybridRetriever.search (what POST /v1/search
calls, query embedding included) over a synthetic collection of 100,000 chunks.

The corpus is synthetic for scale but built from real text and real-looking vectors:
paragraphs of the 125 StackFAQ threads are recombined into 10,000 documents of 10 chunks;
~3,000 distinct real text units are embedded with the configured embedder and each chunk's
vector is a normalised mix of 2-3 of its units' vectors plus a little gaussian noise. Everything
is written through the real stores (Chroma chunk/doc collections, tantivy, SQLite catalogue) with
the same ids and metadata the ingest pipeline uses. The built collection is cached under
bench-out/latency-100k; a re-run only measures.

    .venv/bin/python benchmarks/search_latency_100k.py
    .venv/bin/python benchmarks/search_latency_100k.py --english-leg  # the English leg on

With ``--english-leg`` (its own cached collection), the English half of the documents also gets
English-leg vectors (MiniLM), mixed from the same units with the same weights, and every
(English) query searches that leg too.

Targets: p50 <= 15 ms, p95 <= 40 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, SHARED, HostSteal, pct, save  # noqa: E402

import cxrag  # noqa: E402,F401
from cxrag.documents import Chunk, Document, Section, doc_vector_ids, split_chunk_id  # noqa: E402
from cxrag.embed.base import normalise  # noqa: E402
from cxrag.index.writer import add_vectors, lexical_entry  # noqa: E402
from cxrag.index.writer import vector_metadata as _metadata  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.language import detect_language  # noqa: E402
from cxrag.settings import Settings  # noqa: E402

N_DOCS = 10_000
CHUNKS_PER_DOC = 10
N_CHUNKS = N_DOCS * CHUNKS_PER_DOC
N_UNITS = 3_000          # distinct real text units embedded with the real model
NOISE = 0.25             # norm of the gaussian noise relative to a unit vector
WARMUP, MEASURED = 20, 300
TARGET_P50_MS, TARGET_P95_MS = 15.0, 40.0
SEED = 20240601
DATA_DIR = OUT / "latency-100k"
COLLECTION = "latency-100k"

KB_DIR = SHARED / "stackfaq" / "kb"
QUERIES = SHARED / "stackfaq" / "queries.jsonl"


# -- corpus ---------------------------------------------------------------------------------
def read_threads() -> tuple[list[str], list[str]]:
    """(titles, text units): units are paragraphs, long ones split into sentence groups."""
    titles: list[str] = []
    units: list[str] = []
    for path in sorted(KB_DIR.glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0].startswith("# "):
            titles.append(lines[0][2:].strip())
            lines = lines[1:]
        body = "\n".join(ln for ln in lines if not ln.startswith("#"))
        for para in re.split(r"\n\s*\n", body):
            para = " ".join(para.split())
            words = para.split()
            if len(words) < 6:
                continue
            if len(words) <= 60:
                units.append(para)
                continue
            group: list[str] = []
            for sentence in re.split(r"(?<=[.!?])\s+", para):
                group.append(sentence)
                if sum(len(s.split()) for s in group) >= 25:
                    units.append(" ".join(group))
                    group = []
            if group and sum(len(s.split()) for s in group) >= 6:
                units.append(" ".join(group))
    # Long runs without sentence breaks (code, logs): cap units at ~60 words.
    capped: list[str] = []
    for u in units:
        words = u.split()
        capped.extend(" ".join(words[i : i + 60]) for i in range(0, len(words), 60)
                      if len(words[i : i + 60]) >= 6)
    out = list(dict.fromkeys(capped))
    # Fewer paragraphs than wanted: add single sentences (>= 8 words) as further units.
    if len(out) < N_UNITS:
        seen = set(out)
        for u in capped:
            for sentence in re.split(r"(?<=[.!?])\s+", u):
                if len(sentence.split()) >= 8 and sentence not in seen:
                    seen.add(sentence)
                    out.append(sentence)
    return titles, out


def synth_chunk(rng: random.Random, n_units: int, lengths: list[int]) -> list[int]:
    """Pick real units until the chunk has ~60-120 words; returns their indices."""
    target = rng.randint(60, 120)
    picked: list[int] = []
    words = 0
    while words < target or not picked:
        i = rng.randrange(n_units)
        if words and words + lengths[i] > 120 and words >= 60:
            break
        picked.append(i)
        words += lengths[i]
        if len(picked) >= 8:
            break
    return picked


def build(knowledge: Knowledge) -> dict[str, float]:
    """Build the 100k-chunk collection; returns build timings."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    timings: dict[str, float] = {}
    base = knowledge.get(COLLECTION)
    base.catalog.clear()
    base.index.reset()
    base.lexical.reset()
    # (the catalogue's SQLite engine already runs WAL with synchronous=NORMAL)

    rng = random.Random(SEED)
    np_rng = np.random.default_rng(SEED)
    titles, all_units = read_threads()
    units = all_units if len(all_units) <= N_UNITS else rng.sample(all_units, N_UNITS)
    lengths = [len(u.split()) for u in units]
    print(f"real text: {len(titles)} titles, {len(all_units)} units, using {len(units)}")

    t0 = time.perf_counter()
    embedder = knowledge.embedder
    leg = base.retriever.legs.get("en")
    if leg is not None:
        leg.index.reset()
    models = [embedder] + ([leg.embedder] if leg is not None else [])
    unit_sets: list[np.ndarray] = []
    title_sets: list[np.ndarray] = []
    step = 250
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn()) as progress:
        for model in models:
            vecs_of = np.zeros((len(units), model.dimension), dtype=np.float32)
            title_sets.append(model.embed_documents(titles))
            task = progress.add_task(f"embedding real units ({model.model_id})",
                                     total=len(units))
            for s in range(0, len(units), step):
                vecs_of[s : s + step] = model.embed_documents(units[s : s + step])
                progress.advance(task, len(units[s : s + step]))
            unit_sets.append(vecs_of)
    unit_vecs, title_vecs = unit_sets[0], title_sets[0]
    timings["embed_units_s"] = time.perf_counter() - t0

    dim = embedder.dimension
    sigma = NOISE / np.sqrt(dim)
    headings_pool = [f"Answer {i}" for i in range(1, 9)]
    batch = min(5_000, int(knowledge.chroma.get_max_batch_size()))
    docs_per_batch = max(1, batch // CHUNKS_PER_DOC)

    t_index = t_catalog = 0.0
    t0 = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn()) as progress:
        task = progress.add_task("writing documents", total=N_DOCS)
        for start in range(0, N_DOCS, docs_per_batch):
            c_ids: list[str] = []
            c_docs: list[str] = []
            c_vecs: list[np.ndarray] = []
            c_meta: list[dict[str, object]] = []
            d_ids: list[str] = []
            d_owners: list[str] = []
            d_vecs: list[np.ndarray] = []
            d_meta: list[dict[str, object]] = []
            commits: list[tuple[Document, list[Chunk]]] = []
            leg_rows: list[tuple[Document, list[Chunk], np.ndarray]] = []
            for n in range(start, min(start + docs_per_batch, N_DOCS)):
                t_idx = rng.randrange(len(titles))
                title = f"{titles[t_idx]} ({n})"
                picks = [synth_chunk(rng, len(units), lengths) for _ in range(CHUNKS_PER_DOC)]
                texts = [" ".join(units[i] for i in p) for p in picks]
                heads = [(rng.choice(headings_pool),) for _ in picks]
                raw = (title + "\n" + "\n".join(texts)).encode()
                language = "en" if n % 2 == 0 else "es"
                doc = Document(
                    doc_id=f"synth/d{n:05d}", title=title, source=f"synth/d{n:05d}.md",
                    doc_type="article", language=language, updated_at="2024-06-01",
                    content_hash=hashlib.sha256(raw).hexdigest(),
                    sections=[Section(h, (t,)) for h, t in zip(heads, texts, strict=True)],
                    format="markdown",
                )
                version = doc.version
                chunks = [
                    Chunk(f"{doc.doc_id}#{version}-{i}", doc.doc_id, i, t, h,
                          int(len(t.split()) * 1.3))
                    for i, (t, h) in enumerate(zip(texts, heads, strict=True))
                ]
                # Chunk vector: normalised mix of 2-3 of its real units' vectors + noise (the
                # English leg's: the same mix of the same units' vectors in its model).
                vecs, leg_vecs = [], []
                for p in picks:
                    mix = p[: rng.choice((2, 3))]
                    w = np_rng.uniform(0.5, 1.0, size=len(mix)).astype(np.float32)
                    v = (w[:, None] * unit_vecs[mix]).sum(axis=0)
                    v = v / np.linalg.norm(v) + np_rng.normal(0, sigma, dim).astype(np.float32)
                    vecs.append(v)
                    if leg is not None and language == "en":
                        u = (w[:, None] * unit_sets[1][mix]).sum(axis=0)
                        leg_vecs.append(u / np.linalg.norm(u))
                chunk_vecs = normalise(np.vstack(vecs))
                title_vec = title_vecs[t_idx]
                meta = _metadata(doc)  # what the ingest stores with every vector
                c_ids += [c.chunk_id for c in chunks]
                c_docs += [doc.doc_id] * len(chunks)
                c_vecs.append(chunk_vecs)
                c_meta += [meta] * len(chunks)
                # As _write_document: centroid = mean of title + chunk vectors, then title.
                all_vecs = np.vstack([title_vec[None, :], chunk_vecs])
                d_ids += doc_vector_ids(doc.doc_id, version)
                d_owners += [doc.doc_id] * 2
                d_vecs.append(np.vstack([normalise(all_vecs.mean(axis=0)), title_vec]))
                d_meta += [meta, meta]
                commits.append((doc, chunks))
                if leg_vecs:
                    leg_rows.append((doc, chunks, np.vstack(
                        [title_sets[1][t_idx][None, :], normalise(np.vstack(leg_vecs))])))
            t1 = time.perf_counter()
            base.index.add_chunks(c_ids, c_docs, np.vstack(c_vecs), c_meta)
            base.index.add_docs(d_ids, d_owners, np.vstack(d_vecs), d_meta)
            base.lexical.add([lexical_entry(doc, c) for doc, chunks in commits for c in chunks])
            if leg is not None and leg_rows:  # as the ingest writes a leg (title, chunks)
                add_vectors(leg.index, [(d, c, d.source, False) for d, c, _ in leg_rows],
                            np.vstack([v for _, _, v in leg_rows]))
            t2 = time.perf_counter()
            for doc, chunks in commits:
                base.catalog.commit_document(doc, doc.source, chunks)
            t3 = time.perf_counter()
            t_index += t2 - t1
            t_catalog += t3 - t2
            progress.advance(task, len(commits))
    base.catalog.set_meta("embedding_model", embedder.model_id)
    timings.update(write_s=time.perf_counter() - t0, index_write_s=t_index,
                   catalog_write_s=t_catalog)
    return timings


# -- measurement ----------------------------------------------------------------------------
def load_queries() -> list[str]:
    rows = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    texts = list(dict.fromkeys(r["text"] for r in rows))
    return random.Random(SEED).sample(texts, WARMUP + MEASURED)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(pct(values, 50), 2), "p95": round(pct(values, 95), 2),
            "mean": round(statistics.fmean(values), 2), "max": round(max(values), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--english-leg", action="store_true",
                    help="with CXRAG_RETRIEVAL__ENGLISH_LEG (its own cached collection)")
    args = ap.parse_args()
    settings = Settings(data_dir=DATA_DIR.with_name(DATA_DIR.name + "-english-leg")
                        if args.english_leg else DATA_DIR, _env_file=None)
    if args.english_leg:
        settings.retrieval.english_leg = True
    knowledge = Knowledge(settings)
    base = knowledge.get(COLLECTION)
    build_timings: dict[str, float] = {}
    leg = base.retriever.legs.get("en")
    cached = (base.index.count() == N_CHUNKS and base.catalog.stats()["chunks"] == N_CHUNKS
              and base.index._docs.count() == 2 * N_DOCS and base.lexical.count() == N_CHUNKS
              and (leg is None or leg.index.count() == N_CHUNKS // 2))
    if cached:
        print(f"reusing the collection in {settings.data_dir}")
    else:
        print(f"building {N_CHUNKS:,} chunks in {settings.data_dir} ...")
        build_timings = build(knowledge)
        print("build:", {k: round(v, 1) for k, v in build_timings.items()})
    stats = base.catalog.stats()
    n_vectors = base.index.count()
    n_doc_vectors = int(base.index._docs.count())

    queries = load_queries()
    retriever = base.retriever
    for q in queries[:WARMUP]:
        retriever.search(q, k=5)
    measured = queries[WARMUP:]
    took, wall = [], []
    with HostSteal() as steal:
        for q in measured:
            t0 = time.perf_counter()
            res = retriever.search(q, k=5)
            wall.append((time.perf_counter() - t0) * 1000)
            took.append(res.took_ms)

    # Components, timed directly with the same objects over the same queries, one after
    # another (the retriever overlaps them, so they add up to more than a search).
    emb = knowledge.embedder
    cand = retriever.candidates
    comp: dict[str, list[float]] = {k: [] for k in
                                    ("language", "embed_query", "lexical", "chroma_chunks",
                                     "chroma_docs", "catalogue")}
    for q in measured:
        t0 = time.perf_counter()
        lang = detect_language(q, retriever.languages)
        t1 = time.perf_counter()
        vec = emb.embed_query(q)
        t2 = time.perf_counter()
        lex = base.lexical.search(q, lang, cand)
        t3 = time.perf_counter()
        dense = base.index.query_chunks(vec, cand)
        t4 = time.perf_counter()
        docs = base.index.query_docs(vec, 2 * cand)
        t5 = time.perf_counter()
        # What the retriever reads from the catalogue: candidate documents' states, then the
        # final hits' text.
        base.catalog.document_states(sorted({split_chunk_id(c)[0] for c, _ in lex}
                                            | {h.doc_id for h in dense + docs}))
        base.catalog.fetch_chunks([h.id for h in dense[:5]])
        t6 = time.perf_counter()
        for key, (a, b) in zip(comp, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5),
                                      (t5, t6)), strict=True):
            comp[key].append((b - a) * 1000)
    median_i = sorted(range(len(took)), key=lambda i: took[i])[len(took) // 2]
    median_query = {"query": measured[median_i], "took_ms": round(took[median_i], 2),
                    **{k: round(v[median_i], 2) for k, v in comp.items()}}

    took_s, wall_s = summary(took), summary(wall)
    components = {k: summary(v) for k, v in comp.items()}
    dominant = max(components, key=lambda k: components[k]["p50"])
    payload = {
        "collection": {"chunk_vectors": n_vectors, "doc_vectors": n_doc_vectors, **stats},
        "embedding_model": emb.model_id,
        "english_leg": leg.embedder.model_id if leg is not None else None,
        "queries": {"warmup": WARMUP, "measured": len(measured), "k": 5,
                    "candidates": cand, "mode": retriever.mode},
        "search_took_ms": took_s,
        "search_wall_ms": wall_s,
        "host_steal_share": round(steal.share, 3),
        "targets_ms": {"p50": TARGET_P50_MS, "p95": TARGET_P95_MS},
        "meets_targets": took_s["p50"] <= TARGET_P50_MS and took_s["p95"] <= TARGET_P95_MS,
        "components_ms": components,
        "median_query_components_ms": median_query,
        "dominant_component": dominant,
        "build": {"cached": cached, **{k: round(v, 1) for k, v in build_timings.items()}},
        "corpus": "synthetic: recombined StackFAQ paragraphs; vectors = noisy mixes of real "
                  "paragraph embeddings",
    }
    path = save("search_latency_100k" + ("-english-leg" if leg is not None else ""), payload)
    print(f"\n{stats['chunks']:,} chunks ({n_vectors:,} chunk vectors, {n_doc_vectors:,} doc "
          f"vectors), {stats['documents']:,} documents")
    print(f"search took_ms: p50 {took_s['p50']} p95 {took_s['p95']} mean {took_s['mean']} "
          f"(targets p50<={TARGET_P50_MS:g}, p95<={TARGET_P95_MS:g}: "
          f"{'met' if payload['meets_targets'] else 'MISSED'})")
    print(f"wall ms:        p50 {wall_s['p50']} p95 {wall_s['p95']} mean {wall_s['mean']}"
          f"  (host steal {steal.share:.1%})")
    for k, v in components.items():
        print(f"  {k:14s} p50 {v['p50']:7.2f}  p95 {v['p95']:7.2f}  mean {v['mean']:7.2f}")
    print(f"median query: {median_query}")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
