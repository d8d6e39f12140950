"""Score fusion of the retrieval legs.

Each signal (lexical, dense-chunk, dense-document) is z-normalised over its own candidate
list, so scales never matter, and the fused score is their weighted sum; a document missing
from a signal's list gets that list's minimum. Measured over every retrieval set
(benchmarks/retrieval_matrix.py, docs/benchmarks.md "Retrieval matrix"), this plain rule beat
the language rule it replaces (a cross-language document's missing lexical evidence replaced by
its dense evidence: +2.6 points R@5 Spanish questions over English pages, +1.2 on the project's
mixed-language set, equal elsewhere), reciprocal-rank fusion, per-query leg confidence and
weights fitted leave-one-set-out. A Spanish question's lexical hits among English pages are
chance word matches, spread over the pool; their z-scores are small next to the dense signals'.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

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


@dataclass(frozen=True)
class Signal:
    """One more signal for ``fuse`` (a second dense leg, ``cxrag.index.legs``): its weight, its
    evidence per document, and the documents it cannot judge (``blind``: in another language
    than its model reads), which it leaves where the other signals put them (z-score 0) instead
    of at its floor: an English model has no say on a Spanish page, for or against."""

    weight: float
    scores: Mapping[str, float]
    blind: Collection[str] = frozenset()


class Fusion(Protocol):
    """(lexical, dense-chunk, dense-document evidence per document, weights, and any more
    signals with their weights) -> fused score per document."""

    def __call__(self, lexical: Mapping[str, float], dense_chunk: Mapping[str, float],
                 dense_doc: Mapping[str, float], weights: Weights,
                 extra: Sequence[Signal] = ()) -> dict[str, float]:
        ...


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


def fuse(lexical: Mapping[str, float], dense_chunk: Mapping[str, float],
         dense_doc: Mapping[str, float], weights: Weights,
         extra: Sequence[Signal] = ()) -> dict[str, float]:
    """Fused score per document: the weighted sum of each signal's z-score; a document a
    signal did not return gets that signal's lowest z-score (a document an ``extra`` signal is
    blind to gets 0); a flat signal adds nothing."""
    signals = [(w, z, min(z.values()), blind) for w, z, blind in
               ((weights.lexical, zscores(lexical), ()),
                (weights.dense_chunk, zscores(dense_chunk), ()),
                (weights.dense_doc, zscores(dense_doc), ()),
                *((x.weight, zscores(x.scores), x.blind) for x in extra)) if z]
    docs = set(lexical) | set(dense_chunk) | set(dense_doc)
    for x in extra:
        docs |= set(x.scores)
    return {doc: sum(w * z.get(doc, 0.0 if doc in blind else floor)
                     for w, z, floor, blind in signals) for doc in docs}
