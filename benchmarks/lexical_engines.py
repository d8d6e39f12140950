"""Lexical (BM25) engine choice by measurement: SQLite FTS5 vs bm25s vs tantivy, one run,
the same analysed terms (``cxrag.index.text.analyse``) fed to all three.

    .venv/bin/python benchmarks/lexical_engines.py

A. Scale: the cached 100k-chunk collection in bench-out/latency-100k (search_latency_100k.py;
   opened read-only). Build s and index size; top-80 latency p50/p95/mean over 300 StackFAQ query
   texts after 20 warm-up ones, engines interleaved query by query so background load hits them
   alike (query analysis done once, untimed); mean overlap of each top-20 with FTS5's top-20.
B. Quality: stackfaq kb/*.md chunked simply: title = the first line's "# " heading; sections split
   on "#" heading lines (heading text = the chunk's headings); blank-line paragraphs grouped
   greedily up to ~200 words, longer ones cut into 200-word pieces. All queries, top-80 chunks
   grouped to documents in rank order (best chunk per document); recall@1/5/10 and MRR.

Field weights title 2.0, headings 1.5, body 1.0. FTS5: bm25(2.0, 1.5, 1.0) as the table's rank
(weighted term frequencies, one length normalisation over the whole row). tantivy: per-field BM25
(each field its own idf and length normalisation) of boosted term queries, summed. bm25s has no
fields: each chunk is indexed as title terms twice + headings terms + body terms (exact tf weights
for title and body; headings get 1.0, not 1.5), with k1=1.2, b=0.75 as in FTS5 and tantivy.
Query terms are de-duplicated (as the catalogue does) and OR-ed.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import bm25s
import tantivy

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, SHARED, pct, save  # noqa: E402

import cxrag  # noqa: E402,F401
from cxrag.index.text import analyse  # noqa: E402
from cxrag.language import detect_language  # noqa: E402

SEED, WARMUP, MEASURED = 20240601, 20, 300
K, K_OVERLAP, CHUNK_WORDS = 80, 20, 200
WEIGHTS = {"title": 2.0, "headings": 1.5, "body": 1.0}
LANGS = ["es", "en"]
SCALE_DB = next((OUT / "latency-100k").rglob("catalog.sqlite"), None)
STACKFAQ = SHARED / "stackfaq"


@dataclass
class Row:
    chunk_id: str
    doc_id: str
    title: list[str]
    headings: list[str]
    body: list[str]


def terms(text: str, lang: str) -> list[str]:
    """analyse(), with terms split on "_" and those of 40+ bytes dropped: FTS5's unicode61 and
    tantivy's default tokenizer both split on "_" and tantivy drops long tokens, so this keeps
    the three engines' token streams identical."""
    return [p for t in analyse(text, lang) for p in t.split("_") if p and len(p.encode()) < 40]


def query_terms(text: str) -> list[str]:
    return list(dict.fromkeys(terms(text, detect_language(text, LANGS))))


class Engine(Protocol):
    name: str

    def __init__(self, tmp: Path) -> None: ...
    def build(self, rows: list[Row]) -> None: ...
    def search(self, q: list[str], k: int) -> list[str]: ...
    def size_mb(self) -> float: ...


class Fts5:
    name = "sqlite-fts5"

    def __init__(self, tmp: Path) -> None:
        self.path = tmp / "fts5.sqlite"
        self.db = sqlite3.connect(self.path)
        self.ids: list[str] = []

    def build(self, rows: list[Row]) -> None:
        self.ids = [r.chunk_id for r in rows]
        self.db.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(title, headings, body, "
                        "tokenize='unicode61 remove_diacritics 2')")
        w = ", ".join(str(v) for v in WEIGHTS.values())
        with self.db:
            self.db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('rank', ?)",
                            (f"bm25({w})",))
            self.db.executemany(
                "INSERT INTO chunks_fts(rowid, title, headings, body) VALUES (?,?,?,?)",
                ((i, " ".join(r.title), " ".join(r.headings), " ".join(r.body))
                 for i, r in enumerate(rows)))

    def search(self, q: list[str], k: int) -> list[str]:
        if not q:
            return []
        rows = self.db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? "
                               "ORDER BY rank LIMIT ?", (" OR ".join(f'"{t}"' for t in q), k))
        return [self.ids[r[0]] for r in rows]

    def size_mb(self) -> float:
        return round(self.path.stat().st_size / 2**20, 1)


class Bm25s:
    name = "bm25s"

    def __init__(self, tmp: Path) -> None:
        self.model = bm25s.BM25(k1=1.2, b=0.75)  # method="lucene", numpy backend (defaults)
        self.ids: list[str] = []

    def build(self, rows: list[Row]) -> None:
        self.ids = [r.chunk_id for r in rows]
        self.model.index([r.title * 2 + r.headings + r.body for r in rows], show_progress=False)

    def search(self, q: list[str], k: int) -> list[str]:
        docs, scores = self.model.retrieve([q], k=min(k, len(self.ids)), show_progress=False)
        # bm25s returns k documents even when they score 0 (no query term): drop those
        return [self.ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def size_mb(self) -> float:  # in memory: the eager score matrix
        arrays = (self.model.scores[key] for key in ("data", "indices", "indptr"))
        return round(sum(int(a.nbytes) for a in arrays) / 2**20, 1)


class Tantivy:
    name = "tantivy"

    def __init__(self, tmp: Path) -> None:
        self.path = tmp / "tantivy"
        self.path.mkdir()
        builder = tantivy.SchemaBuilder()
        for field in WEIGHTS:
            builder.add_text_field(field, index_option="freq")
        builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(self.path))

    def build(self, rows: list[Row]) -> None:
        writer = self.index.writer(heap_size=256_000_000)
        for r in rows:
            writer.add_document(tantivy.Document(
                chunk_id=r.chunk_id, title=" ".join(r.title), headings=" ".join(r.headings),
                body=" ".join(r.body)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, q: list[str], k: int) -> list[str]:
        if not q:
            return []
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, field, t, index_option="freq"), boost))
            for t in q for field, boost in WEIGHTS.items()])
        hits = self.searcher.search(query, k, count=False).hits
        return [self.searcher.doc(addr)["chunk_id"][0] for _, addr in hits]

    def size_mb(self) -> float:
        return round(sum(f.stat().st_size for f in self.path.iterdir()) / 2**20, 1)


ENGINES: list[type[Engine]] = [Fts5, Bm25s, Tantivy]


def build_all(rows: list[Row], tmp: Path) -> tuple[list[Engine], dict[str, dict[str, float]]]:
    engines: list[Engine] = []
    info: dict[str, dict[str, float]] = {}
    for cls in ENGINES:
        engine = cls(tmp)
        t0 = time.perf_counter()
        engine.build(rows)
        info[engine.name] = {"build_s": round(time.perf_counter() - t0, 2),
                             "index_mb": engine.size_mb()}
        engines.append(engine)
    return engines, info


# -- A. scale -------------------------------------------------------------------------------
def scale_rows(path: Path) -> list[Row]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    sql = ("SELECT c.chunk_id, c.doc_id, c.text, c.headings, d.title, d.language "
           "FROM catalog_chunks c JOIN catalog_documents d USING (space, doc_id) ORDER BY c.id")
    titles: dict[str, list[str]] = {}
    rows = []
    for chunk_id, doc_id, text, headings, title, lang in db.execute(sql):
        if doc_id not in titles:
            titles[doc_id] = terms(title or "", lang)
        rows.append(Row(chunk_id, doc_id, titles[doc_id],
                        terms(" ".join(json.loads(headings)), lang), terms(text, lang)))
    db.close()
    return rows


def scale(tmp: Path) -> dict[str, Any]:
    if SCALE_DB is None:
        raise SystemExit("no bench-out/latency-100k: run benchmarks/search_latency_100k.py first")
    t0 = time.perf_counter()
    rows = scale_rows(SCALE_DB)
    analyse_s = time.perf_counter() - t0
    print(f"A. {len(rows):,} chunks analysed in {analyse_s:.1f} s; building ...")
    engines, info = build_all(rows, tmp)
    lines = [json.loads(x) for x in (STACKFAQ / "queries.jsonl").read_text().splitlines() if x]
    texts = random.Random(SEED).sample(list(dict.fromkeys(r["text"] for r in lines)),
                                       WARMUP + MEASURED)
    queries = [query_terms(t) for t in texts]
    for q in queries[:WARMUP]:
        for e in engines:
            e.search(q, K)
    took: dict[str, list[float]] = {e.name: [] for e in engines}
    top: dict[str, list[list[str]]] = {e.name: [] for e in engines}
    for q in queries[WARMUP:]:  # interleaved: background load falls on every engine alike
        for e in engines:
            t = time.perf_counter()
            hits = e.search(q, K)
            took[e.name].append((time.perf_counter() - t) * 1000)
            top[e.name].append(hits[:K_OVERLAP])
    ref = top[Fts5.name]
    for e in engines:
        pairs = [(a, b) for a, b in zip(top[e.name], ref, strict=True) if b]
        info[e.name].update(
            p50_ms=round(pct(took[e.name], 50), 3), p95_ms=round(pct(took[e.name], 95), 3),
            mean_ms=round(statistics.fmean(took[e.name]), 3),
            overlap20_vs_fts5=round(statistics.fmean(len(set(a) & set(b)) / len(b)
                                                     for a, b in pairs), 3))
    return {"collection": str(SCALE_DB), "chunks": len(rows), "analyse_s": round(analyse_s, 1),
            "queries": {"warmup": WARMUP, "measured": MEASURED, "k": K, "seed": SEED},
            "engines": info}


# -- B. quality -----------------------------------------------------------------------------
def chunk_markdown(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(title, [(heading, chunk text)]) as described in the module docstring."""
    lines = text.splitlines()
    title = lines[0][2:].strip() if lines and lines[0].startswith("# ") else ""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in lines[1:] if title else lines:
        if m := re.match(r"#+\s+(.*)", line):
            sections.append((m.group(1).strip(), []))
        else:
            sections[-1][1].append(line)
    chunks: list[tuple[str, str]] = []
    for heading, body in sections:
        pieces: list[list[str]] = []
        for para in re.split(r"\n\s*\n", "\n".join(body)):
            words = para.split()
            pieces += [words[i:i + CHUNK_WORDS] for i in range(0, len(words), CHUNK_WORDS)]
        group: list[str] = []
        for words in pieces:
            if group and len(group) + len(words) > CHUNK_WORDS:
                chunks.append((heading, " ".join(group)))
                group = []
            group += words
        if group:
            chunks.append((heading, " ".join(group)))
    return title, chunks


def quality(tmp: Path) -> dict[str, Any]:
    rows: list[Row] = []
    for path in sorted((STACKFAQ / "kb").rglob("*.md")):
        doc_id = path.relative_to(STACKFAQ / "kb").with_suffix("").as_posix()
        title, chunks = chunk_markdown(path.read_text(encoding="utf-8"))
        lang = detect_language(title + "\n" + " ".join(c for _, c in chunks), LANGS)
        title_terms = terms(title, lang)
        rows += [Row(f"{doc_id}#{i}", doc_id, title_terms, terms(h, lang), terms(c, lang))
                 for i, (h, c) in enumerate(chunks)]
    doc_of = {r.chunk_id: r.doc_id for r in rows}
    engines, info = build_all(rows, tmp)
    lines = [json.loads(x) for x in (STACKFAQ / "queries.jsonl").read_text().splitlines() if x]
    judged = [r for r in lines if r["relevant"]]
    for e in engines:
        recall: dict[int, list[float]] = {1: [], 5: [], 10: []}
        rr: list[float] = []
        for r in judged:
            ranked = list(dict.fromkeys(doc_of[c] for c in e.search(query_terms(r["text"]), K)))
            relevant = set(r["relevant"])
            for n, values in recall.items():
                values.append(len(relevant & set(ranked[:n])) / len(relevant))
            rr.append(next((1 / i for i, d in enumerate(ranked, 1) if d in relevant), 0.0))
        info[e.name].update({f"recall@{n}": round(statistics.fmean(v), 3)
                             for n, v in recall.items()}, mrr=round(statistics.fmean(rr), 3))
    return {"documents": len(set(doc_of.values())), "chunks": len(rows),
            "queries": len(judged), "unanswerable_skipped": len(lines) - len(judged),
            "engines": info}


NOTES = [
    "bm25s cannot add or delete documents: any change to the collection means re-indexing the "
    "whole corpus (its build_s above is the cost of every change); FTS5 and tantivy update "
    "incrementally (tantivy: add/delete + commit + reader reload).",
    "bm25s has no fields: title terms twice + headings + body terms stand for the weights.",
    "bm25s retrieve() returns k documents even when none matches; zero scores are dropped.",
    "bm25s index size is its in-memory score matrix; FTS5 and tantivy sizes are on disk.",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        result_a = scale(Path(a))
        result_b = quality(Path(b))
    head = f"{'engine':<12}{'build s':>9}{'index MB':>10}"
    print(f"\nA. scale: {result_a['chunks']:,} chunks, {MEASURED} queries, top-{K} "
          f"(analysis {result_a['analyse_s']} s, not in the build times)")
    print(f"{head}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'top20 vs FTS5':>15}")
    for name, v in result_a["engines"].items():
        print(f"{name:<12}{v['build_s']:>9.2f}{v['index_mb']:>10.1f}{v['p50_ms']:>9.2f}"
              f"{v['p95_ms']:>9.2f}{v['mean_ms']:>9.2f}{v['overlap20_vs_fts5']:>15.3f}")
    print(f"\nB. quality: stackfaq, {result_b['documents']} documents in {result_b['chunks']} "
          f"chunks, {result_b['queries']} queries, top-{K} chunks -> documents")
    print(f"{head}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'MRR':>8}")
    for name, v in result_b["engines"].items():
        print(f"{name:<12}{v['build_s']:>9.2f}{v['index_mb']:>10.1f}{v['recall@1']:>8.3f}"
              f"{v['recall@5']:>8.3f}{v['recall@10']:>8.3f}{v['mrr']:>8.3f}")
    print("\n" + "\n".join(f"- {n}" for n in NOTES))
    path = save("lexical_engines", {
        "weights": WEIGHTS, "bm25s": {"version": bm25s.__version__, "k1": 1.2, "b": 0.75,
                                      "method": "lucene", "backend": "numpy"},
        "tantivy": "0.27.0", "sqlite": sqlite3.sqlite_version,
        "scale": result_a, "quality": result_b, "notes": NOTES})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
