"""The pluggable message analysis insights use: categories and frustration per text.

Without an analyzer, conversations are ``uncategorised`` (tickets keep their helpdesk
category) and churn risk uses only the rule-based signals: cancellation intent, legal threats,
repeated contacts, low CSAT, open handoffs and tier; there is no frustration trend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from cxrag.embed.base import Embedder
from cxrag.settings import Settings

UNCATEGORISED = "uncategorised"


@runtime_checkable
class MessageAnalyzer(Protocol):
    """Classifies what customers wrote."""

    def categorize(self, texts: Sequence[str]) -> list[str]:
        """A category per text (for conversations, which carry none)."""
        ...

    def frustration(self, texts: Sequence[str]) -> list[float]:
        """How frustrated each text reads, 0 (calm) to 1 (furious)."""
        ...


def default_analyzer(settings: Settings, embedder: Embedder) -> MessageAnalyzer:
    """Triage (``cxrag.cx``): the trained or zero-shot categories and the frustration score."""
    from cxrag.cx import build_triage
    from cxrag.cx.analyzer import TriageAnalyzer

    return TriageAnalyzer(build_triage(settings, embedder))
