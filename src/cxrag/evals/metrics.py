"""Per-case scores of a reply, and their aggregates.

Metrics that need no LLM always run: ragas' id-based context precision and recall (the
documents put in the prompt against the case's relevant documents), ragas' semantic
similarity of answer and reference with our own embedder, and ours: fact presence,
citation validity and precision, handoff correctness, language match. A metric that does not
apply to a case (context recall of an unanswerable question, say) is ``None`` and stays out
of the means. LLM-judged metrics (faithfulness, answer relevancy) are added by
:mod:`cxrag.evals.judge` when a judge is configured.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from cxrag.embed.base import Embedder
from cxrag.ingest.tickets import ORDER_ID
from cxrag.language import UNKNOWN, detect_language

# name -> (higher is better, what it measures); the report and the gate read this table.
METRICS: dict[str, str] = {
    "context_precision": "share of the documents in the prompt that are relevant (ragas, id-based)",
    "context_recall": "share of the relevant documents that reached the prompt (ragas, id-based)",
    "semantic_similarity": "answer vs reference, cosine of our embeddings (ragas)",
    "facts": "share of the case's facts present in the answer",
    "answered": "an answerable question got an answer, not a handoff",
    "answer_correct": "of the answers given (not handed over, frustrated cases aside), the "
                      "share that states one of the case's facts, an order number not "
                      "counting when the case has others (or, for a case without facts, "
                      "cites a relevant document); any answer to an unanswerable case is "
                      "wrong",
    "citation_validity": "share of citations naming a document that was in the prompt",
    "citation_precision": "share of cited documents that are relevant",
    "handoff_correct": "handed over exactly when the case says so",
    "escalated": "a frustrated customer was handed to a person",
    "language_match": "the reply is in the customer's language",
    "faithfulness": "LLM judge: share of the answer's claims supported by the passages (ragas)",
    "answer_relevancy": "LLM judge: the answer addresses the question (ragas)",
}


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how facts are matched."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def fact_present(fact: str, answer: str) -> bool:
    """Whether one of the ``|``-separated alternatives of ``fact`` is in ``answer``."""
    folded = fold(answer)
    return any(fold(alt) in folded for alt in fact.split("|") if alt.strip())


def ragas_embeddings(embedder: Embedder) -> Any:
    """A cxrag Embedder as ragas' modern embeddings interface."""
    from ragas.embeddings.base import BaseRagasEmbedding

    class _Adapter(BaseRagasEmbedding):
        def embed_text(self, text: str, **kwargs: Any) -> list[float]:
            return [float(x) for x in embedder.embed_query(text)]

        async def aembed_text(self, text: str, **kwargs: Any) -> list[float]:
            return self.embed_text(text)

    return _Adapter()


class SimilarityScorer:
    """ragas' SemanticSimilarity (collections API) over a cxrag Embedder."""

    def __init__(self, embedder: Embedder) -> None:
        from ragas.metrics.collections import SemanticSimilarity

        self._metric = SemanticSimilarity(embeddings=ragas_embeddings(embedder))

    def __call__(self, reference: str, response: str) -> float:
        return float(self._metric.score(reference=reference, response=response).value)


def _id_scores(context_ids: Sequence[str], relevant: Sequence[str]) -> tuple[float, float]:
    """ragas' IDBasedContextPrecision and IDBasedContextRecall."""
    import warnings

    from ragas.dataset_schema import SingleTurnSample

    with warnings.catch_warnings():  # ragas 0.4 has no id-based metrics in "collections" yet
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.metrics import IDBasedContextPrecision, IDBasedContextRecall

    sample = SingleTurnSample(retrieved_context_ids=list(context_ids),
                              reference_context_ids=list(relevant))
    return (float(IDBasedContextPrecision().single_turn_score(sample)),
            float(IDBasedContextRecall().single_turn_score(sample)))


def answer_facts(facts: Sequence[str]) -> list[str]:
    """The facts that show a question was answered: an order number only says which order
    the reply is about (the account line gives it to every personalised reply: "Your order
    TL-US-2026-002004 ...: delivered." answers no "can I still return it?"), so it counts
    only when a case has no other fact."""
    answers = [f for f in facts if not all(ORDER_ID.fullmatch(v.strip()) for v in f.split("|"))]
    return answers or list(facts)


def score_case(case: dict[str, Any],
               similarity: SimilarityScorer | None) -> dict[str, float | None]:
    """Every no-LLM metric of one result row (see ``runner.result_row`` for its fields)."""
    answerable = bool(case["relevant"]) and not case["expect_handoff"]
    handed_off = case["handoff"] is not None
    context = list(dict.fromkeys(case["context_ids"]))
    cited = list(dict.fromkeys(case["cited_ids"]))
    scores: dict[str, float | None] = dict.fromkeys(METRICS)
    if case["relevant"]:
        if context:
            scores["context_precision"], scores["context_recall"] = _id_scores(
                context, case["relevant"])
        else:
            scores["context_precision"], scores["context_recall"] = 0.0, 0.0
    if answerable:
        scores["answered"] = float(not handed_off)
        if case["facts"]:
            found = sum(fact_present(f, case["answer"]) for f in case["facts"])
            scores["facts"] = found / len(case["facts"]) if not handed_off else 0.0
        if similarity is not None and case["reference"]:
            scores["semantic_similarity"] = (similarity(case["reference"], case["answer"])
                                             if not handed_off else 0.0)
    if not handed_off and case["category"] != "frustrated":
        if not answerable:
            scores["answer_correct"] = 0.0
        elif case["facts"]:
            scores["answer_correct"] = float(any(fact_present(f, case["answer"])
                                                 for f in answer_facts(case["facts"])))
        else:
            scores["answer_correct"] = float(bool(set(cited) & set(case["relevant"])))
    if cited and not handed_off:
        scores["citation_validity"] = sum(c in context for c in cited) / len(cited)
        if case["relevant"]:
            scores["citation_precision"] = (sum(c in case["relevant"] for c in cited)
                                            / len(cited))
    scores["handoff_correct"] = float(handed_off == case["expect_handoff"])
    if case["category"] == "frustrated":
        scores["escalated"] = float(handed_off)
    scores["language_match"] = float(answer_language(case["answer"], case["language"])
                                     == case["language"])
    return scores


def answer_language(answer: str, fallback: str) -> str:
    """The language the answer is written in (citation marks and links removed)."""
    text = re.sub(r"\[\d+\]|https?://\S+", " ", answer)
    found = detect_language(text, ["es", "en"])
    return fallback if found == UNKNOWN else found


def mean_of(values: Iterable[float | None]) -> float | None:
    """The mean of the values that apply (None when none does)."""
    present = [v for v in values if v is not None and not np.isnan(v)]
    return float(np.mean(present)) if present else None


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Means over all cases, and by category and by language (with case counts)."""
    def block(group: Sequence[dict[str, Any]]) -> dict[str, Any]:
        names = {m for r in group for m in r["scores"]}
        means = {m: mean_of(r["scores"].get(m) for r in group) for m in METRICS if m in names}
        return {"cases": len(group), **{m: v for m, v in means.items() if v is not None}}

    by: dict[str, dict[str, list[dict[str, Any]]]] = {"category": defaultdict(list),
                                                      "language": defaultdict(list)}
    for row in rows:
        by["category"][row["category"]].append(row)
        by["language"][row["language"]].append(row)
    return {"overall": block(rows),
            "by_category": {k: block(v) for k, v in sorted(by["category"].items())},
            "by_language": {k: block(v) for k, v in sorted(by["language"].items())}}
