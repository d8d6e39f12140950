"""Retrieval quality: stackfaq (hybrid vs lexical-only vs dense-only, one run) and the
cross-lingual set on knowledge/. Also measures ingest throughput against raw embedding.

    .venv/bin/python benchmarks/retrieval_quality.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, SHARED, save  # noqa: E402

import cxrag  # noqa: E402,F401
from cxrag.evals.retrieval import run_retrieval_eval  # noqa: E402
from cxrag.ingest.chunking import embedding_text  # noqa: E402
from cxrag.ingest.loaders import load_file  # noqa: E402
from cxrag.ingest.sources import discover  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.settings import Settings  # noqa: E402


def throughput(knowledge: Knowledge, kb_dir: Path) -> dict[str, float]:
    """End-to-end ingest chunks/s vs the embedder's raw chunks/s on the same texts."""
    base = knowledge.get("bench-throughput")
    files = list(discover(kb_dir))
    # Warm every stage once (parser, analyser, Chroma, tantivy, embedder) on one file in a
    # throwaway collection, so both figures are steady-state.
    warm_dir = Path(tempfile.mkdtemp(prefix="cxrag-warm-"))
    shutil.copy(files[0].path, warm_dir)
    knowledge.get("bench-warmup").ingestor.run([warm_dir], full=True)
    shutil.rmtree(warm_dir, ignore_errors=True)
    knowledge.embedder.embed_documents(["warm up"] * 8)
    t0, c0 = time.perf_counter(), time.process_time()
    report = base.ingestor.run([kb_dir], full=True)
    ingest_s, ingest_cpu = time.perf_counter() - t0, time.process_time() - c0
    texts: list[str] = []
    c0 = time.process_time()
    for src in files:
        doc = load_file(src, src.path.read_bytes(), ["es", "en"])
        chunks = base.ingestor.chunker.split(doc)
        texts += [doc.title, *(embedding_text(doc.title, c) for c in chunks)]
    parse_cpu = time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    knowledge.embedder.embed_documents(texts)
    raw_s, raw_cpu = time.perf_counter() - t0, time.process_time() - c0
    chunks = report.chunks_written
    cores = os.cpu_count() or 1
    return {"documents": report.added, "chunks": chunks, "embedded_texts": len(texts),
            "ingest_seconds": ingest_s, "raw_embed_seconds": raw_s,
            "ingest_chunks_per_s": chunks / ingest_s, "raw_chunks_per_s": chunks / raw_s,
            "ratio": raw_s / ingest_s,
            # CPU accounting: what the ratio could be at best on this many cores if every
            # stage overlapped perfectly (ingest CPU spread over all cores, no idle time).
            "cpu_seconds": {"ingest": ingest_cpu, "raw_embed": raw_cpu,
                            "parse_and_chunk": parse_cpu,
                            "ingest_minus_embed": ingest_cpu - raw_cpu},
            "cores": cores, "ratio_ceiling": raw_s / (ingest_cpu / cores)}


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cxrag-bench-"))
    knowledge = Knowledge(Settings(data_dir=tmp, _env_file=None))  # type: ignore[call-arg]
    stackfaq = SHARED / "stackfaq"
    results: dict[str, object] = {"embedding_model": knowledge.embedder.model_id}
    results["ingest_throughput"] = throughput(knowledge, stackfaq / "kb")
    base = knowledge.get("bench-stackfaq")
    modes = {}
    for mode in ("hybrid", "lexical", "dense"):
        report = run_retrieval_eval(base, stackfaq / "kb", stackfaq / "queries.jsonl", mode=mode)
        modes[mode] = report["metrics"]
    results["stackfaq"] = modes
    xl = ROOT / "evals" / "retrieval"
    if (xl / "crosslingual.jsonl").exists():
        kb = knowledge.get("bench-knowledge")
        for name in ("crosslingual", "samelingual"):
            if (xl / f"{name}.jsonl").exists():
                rep = run_retrieval_eval(kb, ROOT / "knowledge" / "articles", xl / f"{name}.jsonl")
                misses = [q for q in rep["queries"]
                          if not set(q["relevant"]) & set(q["ranked"][:5])]
                results[name] = {**rep["metrics"], "misses_top5": misses}
    path = save("retrieval_quality", results)
    print(path.read_text()[:4000])
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
