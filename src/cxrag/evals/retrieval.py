"""Retrieval evaluation on the shared benchmark format (kb directory + queries.jsonl).

A document's id is its path under the kb directory without the extension; a query's
``relevant`` list names those ids (empty: the knowledge base cannot answer it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import track

from cxrag.errors import InvalidRequest
from cxrag.knowledge import KnowledgeBase


def load_queries(path: Path) -> list[dict[str, Any]]:
    """Queries from JSONL: ``{"id", "text", "relevant": [...]}`` per line."""
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            queries.append({"id": str(row["id"]), "text": str(row["text"]),
                            "relevant": [str(r) for r in row.get("relevant", [])]})
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidRequest(f"{path}:{n}: not a query line ({exc})") from exc
    return queries


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of relevant ids found in the top k."""
    return len(relevant & set(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    """1/rank of the first relevant id (0 if none)."""
    return next((1.0 / i for i, d in enumerate(ranked, 1) if d in relevant), 0.0)


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """nDCG@k with binary gains."""
    dcg = sum(1.0 / math.log2(i + 1) for i, d in enumerate(ranked[:k], 1) if d in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def score(runs: list[dict[str, Any]], latencies_ms: list[float]) -> dict[str, Any]:
    """Aggregate metrics over answerable queries, plus latency percentiles."""
    answerable = [r for r in runs if r["relevant"]]
    def mean(fn: Any) -> float:
        return float(np.mean([fn(r) for r in answerable])) if answerable else 0.0
    return {
        "queries": len(runs),
        "answerable": len(answerable),
        "recall@1": mean(lambda r: recall_at(r["ranked"], set(r["relevant"]), 1)),
        "recall@5": mean(lambda r: recall_at(r["ranked"], set(r["relevant"]), 5)),
        "recall@10": mean(lambda r: recall_at(r["ranked"], set(r["relevant"]), 10)),
        "mrr": mean(lambda r: reciprocal_rank(r["ranked"], set(r["relevant"]))),
        "ndcg@10": mean(lambda r: ndcg_at(r["ranked"], set(r["relevant"]), 10)),
        "latency_p50_ms": float(np.percentile(latencies_ms, 50)) if latencies_ms else 0.0,
        "latency_p95_ms": float(np.percentile(latencies_ms, 95)) if latencies_ms else 0.0,
    }


def run_retrieval_eval(kb: KnowledgeBase, kb_dir: Path, queries_path: Path, k: int = 10,
                       mode: str | None = None, console: Console | None = None,
                       ingest: bool = True) -> dict[str, Any]:
    """Ingest ``kb_dir`` (incremental), run every query, return metrics and ranked lists."""
    queries = load_queries(queries_path)
    ingest_report = kb.ingestor.run([kb_dir]).as_dict() if ingest else None
    runs, latencies = [], []
    show = console is not None and console.is_terminal
    for q in track(queries, description="queries", console=console, disable=not show):
        result = kb.retriever.search(q["text"], k=max(k, 10), mode=mode)  # type: ignore[arg-type]
        latencies.append(result.took_ms)
        runs.append({"id": q["id"], "text": q["text"], "relevant": q["relevant"],
                     "query_language": result.query_language,
                     "ranked": [h.document_id for h in result.hits][:max(k, 10)]})
    return {
        "kb": str(kb_dir), "queries_file": str(queries_path), "collection": kb.collection,
        "mode": mode or kb.retriever.mode, "embedding_model": kb.retriever.embedder.model_id,
        "metrics": score(runs, latencies), "ingest": ingest_report, "queries": runs,
    }
