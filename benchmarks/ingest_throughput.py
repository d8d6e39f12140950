"""Ingest throughput, text/markdown end to end, against the embedding model's raw throughput
on the same texts, measured in one run.

    .venv/bin/python benchmarks/ingest_throughput.py [--kb DIR] [--rounds 7]

Each round times one ``ingest --full`` of the folder and one raw ``embed_documents`` call on
exactly the texts that ingest embeds (titles and chunks); the two alternate (ABBA order across
rounds) so that a slow spell of a shared host hits both. Reported: the medians of each, and the
median of the per-round ratios (raw seconds / ingest seconds, i.e. ingest chunks/s over raw
chunks/s). A third timing per round is a diagnostic: the same ingest with each file's parse
result (unstructured, language detection, chunking) replayed from memory, i.e. what the ratio
would be if parsing cost nothing. ``retrieval_quality.py`` calls :func:`measure` too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED, HostSteal, save  # noqa: E402

import cxrag  # noqa: E402,F401
from cxrag.ingest.chunking import embedding_text  # noqa: E402
from cxrag.ingest.loaders import load_file  # noqa: E402
from cxrag.ingest.sources import discover  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.settings import Settings  # noqa: E402


def _texts(knowledge: Knowledge, files: list[Any]) -> list[str]:
    """What the ingest embeds: each document's title, then its chunks."""
    chunker = knowledge.get("bench-throughput").ingestor.chunker
    texts: list[str] = []
    for src in files:
        doc = load_file(src, src.path.read_bytes(), ["es", "en"])
        texts += [doc.title, *(embedding_text(doc.title, c) for c in chunker.split(doc))]
    return texts


def measure(knowledge: Knowledge, kb_dir: Path, rounds: int = 7) -> dict[str, Any]:
    """Ingest chunks/s vs the embedder's raw chunks/s on the same texts (medians of rounds)."""
    base = knowledge.get("bench-throughput")
    files = list(discover(kb_dir))
    # Warm every stage once (parser, analyser, Chroma, tantivy, embedder) on one file in a
    # throwaway collection, so both figures are steady-state.
    warm_dir = Path(tempfile.mkdtemp(prefix="cxrag-warm-"))
    shutil.copy(files[0].path, warm_dir)
    knowledge.get("bench-warmup").ingestor.run([warm_dir], full=True)
    shutil.rmtree(warm_dir, ignore_errors=True)
    texts = _texts(knowledge, files)
    knowledge.embedder.embed_documents(texts[:64])
    ingest: list[tuple[float, float]] = []
    raw: list[tuple[float, float]] = []
    replayed: list[float] = []
    chunks = 0
    # Diagnostic: the same ingest with every file's parse result (unstructured, language,
    # chunking) replayed from memory, to show what parsing costs the ratio.
    parse = base.ingestor._parse
    parsed = {src.path: parse(src) for src in files}

    def run_ingest() -> None:
        nonlocal chunks
        t0, c0 = time.perf_counter(), time.process_time()
        report = base.ingestor.run([kb_dir], full=True)
        ingest.append((time.perf_counter() - t0, time.process_time() - c0))
        # The screening quarantines 4 stackfaq threads (javascript: bookmarklets): expected,
        # the same for old and new code; anything else is a broken ingest.
        broken = [f for f in report.failures if f.code != "quarantined"]
        if broken:
            raise SystemExit(f"ingest failed on {broken[0]}")
        chunks = report.chunks_written

    def run_replayed() -> None:
        base.ingestor._parse = lambda source: parsed[source.path]  # type: ignore[method-assign]
        try:
            t0 = time.perf_counter()
            base.ingestor.run([kb_dir], full=True)
            replayed.append(time.perf_counter() - t0)
        finally:
            del base.ingestor._parse

    def run_raw() -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        knowledge.embedder.embed_documents(texts)
        raw.append((time.perf_counter() - t0, time.process_time() - c0))

    with HostSteal() as steal:
        for i in range(rounds):
            steps = (run_ingest, run_raw, run_replayed)
            for step in (steps if i % 2 == 0 else steps[::-1]):
                step()
    ratios = [r[0] / g[0] for g, r in zip(ingest, raw, strict=True)]
    ingest_s = statistics.median(g[0] for g in ingest)
    raw_s = statistics.median(r[0] for r in raw)
    ingest_cpu = statistics.median(g[1] for g in ingest)
    raw_cpu = statistics.median(r[1] for r in raw)
    cores = os.cpu_count() or 1
    return {
        "kb": str(kb_dir), "documents": len(files), "chunks": chunks,
        "embedded_texts": len(texts), "rounds": rounds,
        "ingest_seconds": ingest_s, "raw_embed_seconds": raw_s,
        "ingest_chunks_per_s": chunks / ingest_s, "raw_chunks_per_s": chunks / raw_s,
        "ratio": statistics.median(ratios),
        "ratio_min_max": [min(ratios), max(ratios)],
        "per_round": [{"ingest_s": g[0], "raw_s": r[0], "ratio": q}
                      for g, r, q in zip(ingest, raw, ratios, strict=True)],
        # CPU accounting: the ratio if every stage overlapped perfectly on this many cores.
        "cpu_seconds": {"ingest": ingest_cpu, "raw_embed": raw_cpu,
                        "ingest_minus_embed": ingest_cpu - raw_cpu},
        "host_steal_share": round(steal.share, 3),
        "cores": cores, "ratio_ceiling": raw_s / max(ingest_cpu / cores, raw_s),
        "parse_replayed": {
            "ingest_seconds": statistics.median(replayed),
            "ratio": statistics.median(r[0] / t for r, t in zip(raw, replayed, strict=True)),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, default=SHARED / "stackfaq" / "kb")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cxrag-bench-"))
    try:
        knowledge = Knowledge(Settings(data_dir=tmp, _env_file=None))
        result = measure(knowledge, args.kb, args.rounds)
        result["embedding_model"] = knowledge.embedder.model_id
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    path = save("ingest_throughput", result)
    print(f"{result['documents']} documents, {result['chunks']} chunks, "
          f"{result['embedded_texts']} texts embedded, {args.rounds} rounds (medians)")
    cpu = result["cpu_seconds"]
    print(f"  raw embedding   {result['raw_embed_seconds']:.3f} s  "
          f"{result['raw_chunks_per_s']:.1f} chunks/s  cpu {cpu['raw_embed']:.2f} s")
    print(f"  ingest --full   {result['ingest_seconds']:.3f} s  "
          f"{result['ingest_chunks_per_s']:.1f} chunks/s  cpu {cpu['ingest']:.2f} s")
    lo, hi = result["ratio_min_max"]
    print(f"  ratio           {result['ratio']:.2f}x (rounds {lo:.2f}-{hi:.2f}; "
          f"CPU ceiling {result['ratio_ceiling']:.2f}x; host steal "
          f"{result['host_steal_share']:.1%})")
    print(f"  diagnostic: parsing replayed from memory, ingest "
          f"{result['parse_replayed']['ingest_seconds']:.3f} s, "
          f"ratio {result['parse_replayed']['ratio']:.2f}x")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
