"""Pack retrieved passages into a token budget, most relevant first.

A small local model on two cores pays for every prompt token (~100 tokens/s of prompt
processing), so the context is a budget: passages are taken in relevance order until the
budget is spent, a passage that does not fit is trimmed at a sentence boundary rather than
dropped when enough room is left, and the numbering the model cites (``[1]``, ``[2]``...) maps
back to the passages actually sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cxrag.ingest.chunking import encoding, split_sentences
from cxrag.retrieve.hybrid import SearchHit

MIN_TRIMMED_TOKENS = 48  # below this, a trimmed passage is more noise than help


@dataclass(frozen=True)
class Passage:
    """A passage as sent to the model; ``number`` is what the model cites."""

    number: int
    document_id: str
    chunk_id: str
    title: str
    source: str
    text: str
    language: str
    score: float
    tokens: int


class ContextPacker:
    """Packs search hits into at most ``budget`` tokens (tiktoken ``encoding_name``)."""

    def __init__(self, budget: int = 900, encoding_name: str = "cl100k_base") -> None:
        self.budget = budget
        self._enc = encoding(encoding_name)

    def count(self, text: str) -> int:
        """Tokens in ``text``."""
        return len(self._enc.encode_ordinary(text))

    def pack(self, hits: Sequence[SearchHit]) -> list[Passage]:
        """Passages in relevance order within the budget (titles count too)."""
        out: list[Passage] = []
        left = self.budget
        for hit in sorted(hits, key=lambda h: -h.score):
            overhead = self.count(hit.title) + 4  # "[n] title: "
            text = hit.text
            tokens = self.count(text)
            if tokens + overhead > left:
                text = self._trim(text, left - overhead)
                if not text:
                    continue
                tokens = self.count(text)
            out.append(Passage(len(out) + 1, hit.document_id, hit.chunk_id, hit.title,
                               hit.source, text, hit.language, hit.score, tokens))
            left -= tokens + overhead
            if left < MIN_TRIMMED_TOKENS:
                break
        return out

    def _trim(self, text: str, room: int) -> str:
        """Leading whole sentences of ``text`` within ``room`` tokens ('' if too little)."""
        if room < MIN_TRIMMED_TOKENS:
            return ""
        kept: list[str] = []
        used = 0
        for sentence in split_sentences(text.replace("\n", " ")):
            n = self.count(sentence) + 1
            if used + n > room:
                break
            kept.append(sentence)
            used += n
        return " ".join(kept) if used >= MIN_TRIMMED_TOKENS else ""
