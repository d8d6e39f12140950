"""Score fusion that knows the query's and the documents' languages.

Each signal (lexical, dense-chunk, dense-document) is z-normalised over its own candidate
list, so scales never matter. A document missing from a signal's list gets that list's
minimum. Lexical evidence means nothing across languages (a Spanish query shares few terms
with an English article), so for a document in another language than the query, the lexical
signal is replaced by the document's own dense evidence instead of the list minimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Weights:
    """Relative weight of each signal."""

    lexical: float = 0.3
    dense_chunk: float = 0.4
    dense_doc: float = 0.3
    ticket_penalty: float = 0.0
    """Subtracted from a past ticket's fused score: help-centre articles are the authority,
    a ticket is one customer's case (its wording is question-like, so it sits close to any
    question in embedding space)."""


def zscores(scores: Mapping[str, float]) -> dict[str, float]:
    """z-normalised scores (all zero when there is no spread)."""
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    std = values.std()
    if std < 1e-9:
        return dict.fromkeys(scores, 0.0)
    mean = values.mean()
    return {k: float((v - mean) / std) for k, v in scores.items()}


def top2(values: list[float]) -> float:
    """A document's score from its chunks: best, plus a little for a strong runner-up."""
    ordered = sorted(values, reverse=True)
    return ordered[0] + 0.1 * (ordered[1] if len(ordered) > 1 else 0.0)


def fuse(
    lexical: Mapping[str, float],
    dense_chunk: Mapping[str, float],
    dense_doc: Mapping[str, float],
    doc_language: Mapping[str, str],
    query_language: str,
    weights: Weights,
) -> dict[str, float]:
    """Fused score per document id."""
    signals = [(weights.lexical, zscores(lexical)), (weights.dense_chunk, zscores(dense_chunk)),
               (weights.dense_doc, zscores(dense_doc))]
    floors = [min(s.values()) if s else 0.0 for _, s in signals]
    docs = set(lexical) | set(dense_chunk) | set(dense_doc)
    fused: dict[str, float] = {}
    for doc in docs:
        parts = [s.get(doc, floor) for (_, s), floor in zip(signals, floors, strict=True)]
        lang = doc_language.get(doc, query_language)
        cross = lang not in (query_language, "und") and query_language != "und"
        if cross and doc not in lexical:
            dense_w = weights.dense_chunk + weights.dense_doc
            parts[0] = (
                (weights.dense_chunk * parts[1] + weights.dense_doc * parts[2]) / dense_w
                if dense_w
                else parts[0]
            )
        fused[doc] = sum(w * p for (w, _), p in zip(signals, parts, strict=True))
    return fused
