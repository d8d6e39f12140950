"""A second dense leg for one language: its own embedding model and vector index.

The default embedder is multilingual, so one index serves Spanish and English questions and
either language's documents. An English-only model reads English better (all-MiniLM-L6-v2:
+1.1 to +4.0 points R@5 on the English retrieval sets, docs/benchmarks.md) but embeds ~11x
slower on this hardware, so it is an opt-in leg (``CXRAG_RETRIEVAL__ENGLISH_LEG``), never the
default: ingest embeds that language's documents with it too (``Ingestor``; ``IndexWriter`` writes,
updates and removes their vectors beside the others), and a question
in that language searches it beside the other legs (``HybridRetriever``), its z-scores weighed
into the fusion like theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxrag.embed.base import Embedder
from cxrag.index.vectors import VectorIndex


@dataclass(frozen=True)
class LanguageLeg:
    """Documents and questions in ``language`` also go through ``embedder`` and ``index``;
    ``weight`` is the leg's weight in the fusion."""

    language: str
    embedder: Embedder
    index: VectorIndex
    weight: float = 0.25

    @property
    def fingerprint(self) -> str:
        """What the ingest fingerprint records: switching the leg or its model re-processes
        every document, so no document is left without its vectors in the leg."""
        return f"{self.language}:{self.embedder.model_id}"
