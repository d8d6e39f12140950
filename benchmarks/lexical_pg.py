"""The lexical index in PostgreSQL against tantivy: ranking quality, search latency, build time.

Does moving the lexical leg from a local tantivy folder to PostgreSQL (``PostgresLexicalIndex``,
shared by replicas with no disk of their own) keep its ranking? Both engines get the same
entries: every chunk of each retrieval set's collection as the real pipeline chunks it (the
catalogue cached by ``retrieval_matrix.py`` under bench-out/retrieval-matrix/data; a set not yet
ingested there is ingested into it first, which loads the embedding model). tantivy indexes them
in a temporary folder, PostgreSQL in a temporary database (dropped at the end), every set a
collection of one set of shared tables, as a deployment would have them.

Each query runs on both engines as the service's lexical leg runs it (``HybridRetriever.evidence``:
language detected on the query, the last three earlier user turns joined to its words for
mtrag+history, top 80 chunks); the chunks are grouped to documents in rank order (best chunk per
document) and scored at document level as ``retrieval_matrix.scored`` does: R@1, R@5, MRR over
the answerable queries. Also: how often both engines give the same top 10 documents, search
p50/p95 (engines interleaved query by query, the first of the pair alternating, after 10 warm-up
queries per set) and build time (adds of 2,000 chunks, as a rebuild does; PostgreSQL's VACUUM
ANALYZE after loading is timed apart).

``--scale N`` adds a latency check at N chunks: every set's chunks copied (new document ids)
into one collection until it holds N, so each term's postings grow N/2k-fold with the same
idf, then up to 60 queries of every set on both engines, interleaved.

    .venv/bin/python benchmarks/lexical_pg.py               # ~1 min (plus a first ingest)
    .venv/bin/python benchmarks/lexical_pg.py --scale 100000  # plus ~4 min on 2 cores

PostgreSQL from ``CXRAG_BENCH_POSTGRES_URL`` (default the local server's ``postgres``
maintenance database, which must allow CREATE DATABASE). Writes bench-out/lexical_pg.json and
prints the table.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import HostSteal, pct, save, temporary_postgres  # noqa: E402
from retrieval_matrix import CACHE, Query, SetSpec, scored, sets  # noqa: E402
from sqlalchemy import Engine, create_engine  # noqa: E402

import cxrag  # noqa: E402,F401
from cxrag.documents import split_chunk_id  # noqa: E402
from cxrag.index.lexical import LexicalEntry, LexicalIndex, TantivyIndex  # noqa: E402
from cxrag.index.lexical_pg import PostgresLexicalIndex  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.language import detect_language  # noqa: E402
from cxrag.retrieve.hybrid import _CONTEXT_TURNS, _TURN_CHARS  # noqa: E402
from cxrag.settings import Settings  # noqa: E402

K, BATCH, WARMUP = 80, 2_000, 10
ENGINES = ("tantivy", "postgres")


@dataclass
class Ranked:
    """One query's documents from one engine, in the shape ``retrieval_matrix.scored`` reads."""

    query: Query
    docs: dict[str, float]  # document -> its best chunk's score


@contextmanager
def temporary_database() -> Iterator[Engine]:
    """An engine on a new PostgreSQL database, dropped afterwards."""
    with temporary_postgres() as url:
        engine = create_engine(url, pool_size=2)
        try:
            yield engine
        finally:
            engine.dispose()


def entries(knowledge: Knowledge, spec: SetSpec) -> tuple[list[LexicalEntry], dict[str, Any]]:
    """The collection's chunks as lexical entries (ingesting the set first if its catalogue is
    empty), as ``IndexWriter.rebuild_lexical`` makes them."""
    kb = knowledge.get(spec.collection)
    info: dict[str, Any] = {"ingested_now": False}
    if not kb.catalog.stats()["chunks"]:
        t0 = time.perf_counter()
        report = kb.ingestor.run([spec.kb]).as_dict()
        info = {"ingested_now": True, "ingest_s": round(time.perf_counter() - t0, 1),
                "failed": report["failed"]}
    out = [LexicalEntry(c.chunk_id, c.doc_id, c.title, c.headings, c.text, c.language,
                        c.doc_type, c.product, c.tags)
           for batch in kb.catalog.iter_chunks() for c in batch]
    info |= {"chunks": len(out), "documents": len({e.doc_id for e in out})}
    return out, info


def build(index: LexicalIndex, items: list[LexicalEntry]) -> float:
    """Seconds to add ``items`` in rebuild-sized batches."""
    t0 = time.perf_counter()
    for start in range(0, len(items), BATCH):
        index.add(items[start: start + BATCH])
    return time.perf_counter() - t0


def by_document(hits: list[tuple[str, float]]) -> dict[str, float]:
    """Documents in rank order, each with its best chunk's score."""
    docs: dict[str, float] = {}
    for chunk_id, score in hits:
        docs.setdefault(split_chunk_id(chunk_id)[0], score)
    return docs


def lexical_query(spec: SetSpec, q: Query, languages: list[str]) -> tuple[str, str]:
    """(words, language) of the lexical leg, as ``HybridRetriever.evidence`` makes them."""
    context = q.history if spec.with_history else []
    turns = [turn[:_TURN_CHARS] for turn in context[-_CONTEXT_TURNS:]]
    return " ".join([*turns, q.text]), detect_language(q.text, languages)


def run_set(spec: SetSpec, engines: dict[str, LexicalIndex],
            languages: list[str]) -> tuple[dict[str, list[Ranked]], dict[str, list[float]]]:
    """Every query on both engines, interleaved; the rankings and the search times (ms)."""
    asked = [(q, *lexical_query(spec, q, languages)) for q in spec.queries]
    for _, words, lang in asked[:WARMUP]:
        for index in engines.values():
            index.search(words, lang, K)
    ranked: dict[str, list[Ranked]] = {name: [] for name in engines}
    times: dict[str, list[float]] = {name: [] for name in engines}
    for i, (q, words, lang) in enumerate(asked):
        order = list(engines) if i % 2 == 0 else list(reversed(engines))
        for name in order:
            t0 = time.perf_counter()
            hits = engines[name].search(words, lang, K)
            times[name].append((time.perf_counter() - t0) * 1000)
            ranked[name].append(Ranked(q, by_document(hits)))
    return ranked, times


def top10(r: Ranked) -> list[str]:
    return sorted(r.docs, key=lambda d: (-r.docs[d], d))[:10]


def scale(engine: Engine, folder: Path, base: list[LexicalEntry], specs: list[SetSpec],
          languages: list[str], n: int) -> dict[str, Any]:
    """Build and latency at ``n`` chunks: ``base`` copied under new document ids."""
    copies = -(-n // len(base))
    items = [dataclasses.replace(e, doc_id=f"{e.doc_id}~{i}",
                                 chunk_id=f"{e.doc_id}~{i}#{e.chunk_id.rpartition('#')[2]}")
             for i in range(copies) for e in base][:n]
    engines: dict[str, LexicalIndex] = {
        "tantivy": TantivyIndex(folder / "scale"),
        "postgres": PostgresLexicalIndex(engine, "bench", "scale")}
    out: dict[str, Any] = {"chunks": len(items),
                           "build_s": {name: round(build(index, items), 1)
                                       for name, index in engines.items()}}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE lexical_postings")
    asked = [lexical_query(spec, q, languages) for spec in specs for q in spec.queries[:60]]
    times: dict[str, list[float]] = {name: [] for name in engines}
    for words, lang in asked[:WARMUP]:
        for index in engines.values():
            index.search(words, lang, K)
    for i, (words, lang) in enumerate(asked):
        for name in (ENGINES if i % 2 == 0 else ENGINES[::-1]):
            t0 = time.perf_counter()
            engines[name].search(words, lang, K)
            times[name].append((time.perf_counter() - t0) * 1000)
    out["latency_ms"] = {name: {"p50": round(pct(t, 50), 2), "p95": round(pct(t, 95), 2),
                                "max": round(max(t), 1), "n": len(t)}
                         for name, t in times.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=0, help="also time search at this many chunks")
    args = ap.parse_args()
    knowledge = Knowledge(Settings(data_dir=CACHE / "data", _env_file=None))  # type: ignore[call-arg]
    languages = list(knowledge.settings.retrieval.languages)
    results: dict[str, Any] = {"sets": {}, "k": K}
    all_times: dict[str, list[float]] = {name: [] for name in ENGINES}
    specs = sets()
    corpora: dict[str, list[LexicalEntry]] = {}
    with temporary_database() as engine, tempfile.TemporaryDirectory() as tmp, \
            HostSteal() as steal:
        indexes: dict[str, dict[str, LexicalIndex]] = {}
        for spec in specs:
            if spec.collection in indexes:
                continue
            corpora[spec.collection], info = entries(knowledge, spec)
            tan = TantivyIndex(Path(tmp) / spec.collection)
            pg = PostgresLexicalIndex(engine, "bench", spec.collection)
            info["build_s"] = {"tantivy": round(build(tan, corpora[spec.collection]), 2),
                               "postgres": round(build(pg, corpora[spec.collection]), 2)}
            indexes[spec.collection] = {"tantivy": tan, "postgres": pg}
            results["sets"][spec.collection] = info
            print(f"{spec.collection}: {info}", flush=True)
        t0 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("lexical_chunks", "lexical_postings", "lexical_spaces"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
            sizes = conn.exec_driver_sql(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
                "WHERE relname IN ('lexical_chunks', 'lexical_postings', 'lexical_spaces')").all()
        results["postgres_vacuum_analyze_s"] = round(time.perf_counter() - t0, 2)
        results["postgres_mb"] = {r[0]: round(r[1] / 2**20, 1) for r in sizes}
        results["tantivy_mb"] = round(sum(f.stat().st_size for f in Path(tmp).rglob("*")
                                          if f.is_file()) / 2**20, 1)
        table: dict[str, dict[str, Any]] = {}
        for spec in specs:
            ranked, times = run_set(spec, indexes[spec.collection], languages)
            row: dict[str, Any] = {name: scored(ranked[name], lambda r: r.docs)  # type: ignore[arg-type]
                                   for name in ENGINES}
            row["R@5 diff (points)"] = round(100 * (row["postgres"]["R@5"]
                                                    - row["tantivy"]["R@5"]), 2)
            pairs = list(zip(ranked["tantivy"], ranked["postgres"], strict=True))
            row["same_top10_share"] = round(
                sum(top10(a) == top10(b) for a, b in pairs) / len(pairs), 4)
            row["latency_ms"] = {name: {"p50": round(pct(times[name], 50), 2),
                                        "p95": round(pct(times[name], 95), 2)}
                                 for name in ENGINES}
            row["queries"] = len(spec.queries)
            row["answerable"] = sum(bool(q.relevant) for q in spec.queries)
            for name in ENGINES:
                all_times[name] += times[name]
            table[spec.name] = row
        if args.scale:
            base = [e for items in corpora.values() for e in items]
            results["scale"] = scale(engine, Path(tmp), base, specs, languages, args.scale)
    results["matrix"] = table
    results["latency_ms_all"] = {name: {"p50": round(pct(t, 50), 2), "p95": round(pct(t, 95), 2),
                                        "n": len(t)} for name, t in all_times.items()}
    results["host_steal"] = round(steal.share, 4)
    results["macro"] = {name: {m: float(np.mean([r[name][m] for r in table.values()]))
                               for m in ("R@1", "R@5", "MRR")} for name in ENGINES}

    head = (f"{'set':14s}{'chunks':>7s} | {'tantivy R@1/R@5/MRR':>21s} | "
            f"{'postgres R@1/R@5/MRR':>21s} | {'dR@5':>6s} {'same10':>7s} | "
            f"{'p50/p95 ms tantivy':>18s} {'postgres':>12s} | {'build s t/pg':>12s}")
    print(head)
    print("-" * len(head))
    for spec in specs:
        row, info = table[spec.name], results["sets"][spec.collection]
        t, p = row["tantivy"], row["postgres"]
        lt, lp = row["latency_ms"]["tantivy"], row["latency_ms"]["postgres"]
        print(f"{spec.name:14s}{info['chunks']:7d} | "
              f"{t['R@1']:.3f} {t['R@5']:.3f} {t['MRR']:.3f}   | "
              f"{p['R@1']:.3f} {p['R@5']:.3f} {p['MRR']:.3f}   | "
              f"{row['R@5 diff (points)']:+6.2f} {row['same_top10_share']:7.3f} | "
              f"{lt['p50']:8.2f}/{lt['p95']:<8.2f}  {lp['p50']:6.2f}/{lp['p95']:<6.2f}| "
              f"{info['build_s']['tantivy']:5.2f}/{info['build_s']['postgres']:<6.2f}")
    m = results["macro"]
    print(f"{'macro':21s} | {m['tantivy']['R@1']:.3f} {m['tantivy']['R@5']:.3f} "
          f"{m['tantivy']['MRR']:.3f}   | {m['postgres']['R@1']:.3f} {m['postgres']['R@5']:.3f} "
          f"{m['postgres']['MRR']:.3f}   |")
    print(f"all queries p50/p95 ms: {results['latency_ms_all']}")
    print(f"postgres VACUUM ANALYZE {results['postgres_vacuum_analyze_s']} s; sizes MB: "
          f"postgres {results['postgres_mb']}, tantivy {results['tantivy_mb']}; "
          f"host steal {results['host_steal']:.1%}")
    if "scale" in results:
        print(f"at {results['scale']['chunks']} chunks: build s {results['scale']['build_s']}, "
              f"search ms {results['scale']['latency_ms']}")
    print(f"wrote {save('lexical_pg', results)}")


if __name__ == "__main__":
    main()
