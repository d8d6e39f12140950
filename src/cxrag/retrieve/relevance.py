"""How likely a search found something relevant at all (an abstention signal).

A logistic model over two dense-leg figures: the best chunk's and the best document centroid's
cosine to the query (multilingual USE). It was fitted by ``benchmarks/retrieval_matrix.py`` on
sets that have no unanswerable queries of their own (stackfaq, gnome_help_es,
gnome_help_es2en, bitext_triage_en), each answerable query counted twice: as retrieved, and
with its relevant documents removed (what retrieval sees when the knowledge base cannot answer).
It is scored on the real unanswerable turns of mtrag_fiqa_clapnq, which it never saw
(docs/benchmarks.md, "Retrieval matrix"). The coefficients belong to that embedder: with
another model the score is reported as ``None``.
"""

from __future__ import annotations

import math

MODEL_ID = "use-multilingual-v3-int8"
INTERCEPT, TOP_CHUNK, TOP_CENTROID = -2.522, 3.471, 2.166


def relevance(top_chunk: float, top_centroid: float) -> float:
    """P(something relevant was retrieved), from the best chunk's and centroid's cosines."""
    logit = INTERCEPT + TOP_CHUNK * top_chunk + TOP_CENTROID * top_centroid
    return 1.0 / (1.0 + math.exp(-logit))
