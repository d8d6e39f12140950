"""Help-centre articles beside past tickets: how much should a ticket's score be discounted?

    .venv/bin/python benchmarks/ticket_prior.py

``make run`` indexes knowledge/articles and knowledge/tickets into one collection. The eval
questions (evals/retrieval/*.jsonl) are answered by articles; a ticket that outranks the right
article pushes one customer's case (an order, a courier, an amount) into the reply's context.
This measures article recall with tickets in the index for several ``ticket_penalty`` values,
and how often a ticket still makes the top 5 for questions the articles do not answer.

``passages``: what the reply path sends, at the shipped penalty. A reply ranks chunks
(``group_by_document=False``) and its prompt takes the first ``max_passages`` (3); per set, the
share of questions with a ticket chunk among them and with a chunk of a right article among
them, for the service's chunk ranking (a ticket chunk's own evidence penalised too) and for the
rule before 2026-12-05 (only its document's score penalised), on the same evidence.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, save  # noqa: E402

from cxrag.evals.retrieval import load_queries, recall_at, reciprocal_rank  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.retrieve.fusion import Weights  # noqa: E402
from cxrag.retrieve.hybrid import Evidence, HybridRetriever  # noqa: E402
from cxrag.settings import Settings  # noqa: E402

PENALTIES = (0.0, 1.0, 2.0, 2.5, 3.0, 4.0)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="cxrag-prior-"))
    knowledge = Knowledge(Settings(data_dir=tmp, _env_file=None))  # type: ignore[call-arg]
    base = knowledge.get("bench-prior")
    base.ingestor.run([ROOT / "knowledge" / "articles", ROOT / "knowledge" / "tickets"])
    sets = {name: load_queries(ROOT / "evals" / "retrieval" / f"{name}.jsonl")
            for name in ("crosslingual", "samelingual")}
    results: dict[str, dict[str, float]] = {}
    w = base.retriever.weights
    for penalty in PENALTIES:
        base.retriever.weights = Weights(w.lexical, w.dense_chunk, w.dense_doc, penalty)
        row: dict[str, float] = {}
        for name, queries in sets.items():
            r1 = r5 = rr = tickets_top1 = 0.0
            for q in queries:
                ranked = [h.document_id for h in base.retriever.search(q["text"], k=10).hits]
                relevant = set(q["relevant"])
                r1 += recall_at(ranked, relevant, 1)
                r5 += recall_at(ranked, relevant, 5)
                rr += reciprocal_rank(ranked, relevant)
                tickets_top1 += ranked[0].startswith("ticket/") if ranked else 0
            n = len(queries)
            row |= {f"{name}_R@1": r1 / n, f"{name}_R@5": r5 / n, f"{name}_MRR": rr / n,
                    f"{name}_ticket_top1": tickets_top1 / n}
        results[str(penalty)] = row
        print(penalty, {k: round(v, 3) for k, v in row.items()})
    shipped = knowledge.settings.retrieval.ticket_penalty
    base.retriever.weights = Weights(w.lexical, w.dense_chunk, w.dense_doc, shipped)
    passages = {name: passages_sent(base.retriever, queries) for name, queries in sets.items()}
    for name, row in passages.items():
        print(f"passages {name} (penalty {shipped})", {k: round(v, 3) for k, v in row.items()})
    save("ticket_prior", {"penalties": results, "passages": passages})
    knowledge.close()
    shutil.rmtree(tmp, ignore_errors=True)


def top_chunks(retriever: HybridRetriever, evidence: Evidence, n: int,
               chunk_penalty: bool) -> list[str]:
    """The documents of the first ``n`` chunks as a reply ranks them; ``chunk_penalty`` False:
    the rule before 2026-12-05 (a ticket chunk's own evidence unpenalised)."""
    if chunk_penalty:
        return [h.document_id for h in retriever._rank(evidence, n, group=False)]
    fused = retriever.rank_documents(evidence)
    own = retriever._chunk_scores(evidence.chunk_doc, evidence)
    scored = {c: fused.get(d, 0.0) + own[c] for c, d in evidence.chunk_doc.items()}
    return [evidence.chunk_doc[c] for c in sorted(scored, key=lambda c: -scored[c])[:n]]


def passages_sent(retriever: HybridRetriever, queries: list[dict[str, Any]],
                  n: int = 3) -> dict[str, float]:
    """Share of ``queries`` with a ticket / a right article among the first ``n`` chunks,
    now and before."""
    out = dict.fromkeys(("ticket_now", "ticket_before", "article_now", "article_before"), 0.0)
    for q in queries:
        evidence = retriever.evidence(str(q["text"]))
        relevant = set(q["relevant"])
        for label, on in (("now", True), ("before", False)):
            docs = top_chunks(retriever, evidence, n, on)
            out[f"ticket_{label}"] += any(d.startswith("ticket/") for d in docs)
            out[f"article_{label}"] += bool(relevant & set(docs))
    return {k: v / len(queries) for k, v in out.items()}


if __name__ == "__main__":
    main()
