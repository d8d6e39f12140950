"""Retrieval quality: stackfaq (hybrid vs lexical-only vs dense-only, one run) and the
cross-lingual set on knowledge/. Also measures ingest throughput against raw embedding
(``ingest_throughput.measure``, 7 rounds).

    .venv/bin/python benchmarks/retrieval_quality.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, SHARED, save  # noqa: E402
from ingest_throughput import measure  # noqa: E402

import cxrag  # noqa: E402,F401
from cxrag.evals.retrieval import run_retrieval_eval  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.settings import Settings  # noqa: E402


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cxrag-bench-"))
    knowledge = Knowledge(Settings(data_dir=tmp, _env_file=None))  # type: ignore[call-arg]
    stackfaq = SHARED / "stackfaq"
    results: dict[str, object] = {"embedding_model": knowledge.embedder.model_id}
    results["ingest_throughput"] = measure(knowledge, stackfaq / "kb")
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
