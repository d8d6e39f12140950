"""Triage as the message analyzer of insights (categories and frustration per text)."""

from __future__ import annotations

from collections.abc import Sequence

from cxrag.cx.triage import Analysis, Triage

OUT_OF_SCOPE = "out_of_scope"


class TriageAnalyzer:
    """Implements ``cxrag.insights.analyzer.MessageAnalyzer`` with a Triage; each distinct
    text is analysed once per analyzer (insights asks for categories, then frustration)."""

    def __init__(self, triage: Triage, batch: int = 256) -> None:
        self.triage, self.batch = triage, batch
        self._seen: dict[str, Analysis] = {}

    def _analyse(self, texts: Sequence[str]) -> list[Analysis]:
        todo = list(dict.fromkeys(t for t in texts if t not in self._seen))
        for start in range(0, len(todo), self.batch):
            chunk = todo[start:start + self.batch]
            self._seen.update(zip(chunk, self.triage.analyse_many(chunk), strict=True))
        return [self._seen[t] for t in texts]

    def categorize(self, texts: Sequence[str]) -> list[str]:
        """The triage category of each text (``out_of_scope`` when not confident)."""
        return [a.category or OUT_OF_SCOPE for a in self._analyse(texts)]

    def frustration(self, texts: Sequence[str]) -> list[float]:
        """The frustration score of each text."""
        return [a.frustration.score for a in self._analyse(texts)]
