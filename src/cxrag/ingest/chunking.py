"""Structure-aware chunking by tokens (tiktoken).

Chunks are packed from whole blocks, or whole sentences when a block is too long; a sentence is
cut only when it alone exceeds the budget. Each chunk keeps the heading path it starts under,
and headings of sections that begin inside a chunk stay in its text. Overlap repeats whole
trailing sentences of the previous chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxrag.documents import Chunk, Document, chunk_id_for
from cxrag.text import (  # noqa: F401  (re-exported)
    MIN_FACT_WORDS,
    encoding,
    split_sentences,
    states_fact,
)

__all__ = [
    "MIN_FACT_WORDS",
    "TokenChunker",
    "embedding_text",
    "encoding",
    "split_sentences",
    "states_fact",
]


@dataclass
class _Unit:
    text: str
    tokens: int
    headings: tuple[str, ...]


class TokenChunker:
    """Packs a Document's sections into chunks of at most ``max_tokens`` tokens."""

    def __init__(self, max_tokens: int = 256, overlap_tokens: int = 32, enc: str = "cl100k_base"):
        if overlap_tokens >= max_tokens:
            raise ValueError("overlap_tokens must be smaller than max_tokens")
        self.max_tokens = max_tokens
        self.overlap = overlap_tokens
        self._enc = encoding(enc)

    def count(self, text: str) -> int:
        """Tokens in ``text``."""
        return len(self._enc.encode_ordinary(text))

    def _hard_split(self, text: str, headings: tuple[str, ...]) -> list[_Unit]:
        ids = self._enc.encode_ordinary(text)
        step = self.max_tokens
        return [
            _Unit(self._enc.decode(ids[i : i + step]), len(ids[i : i + step]), headings)
            for i in range(0, len(ids), step)
        ]

    def _units(self, doc: Document) -> list[_Unit]:
        units: list[_Unit] = []
        seen_path: tuple[str, ...] = ()
        for section in doc.sections:
            blocks = list(section.blocks)
            new = [h for i, h in enumerate(section.headings) if seen_path[i : i + 1] != (h,)]
            if new and units and section.headings != seen_path:
                blocks[0] = "\n".join(new + [blocks[0]])
            seen_path = section.headings
            for block in blocks:
                n = self.count(block)
                if n <= self.max_tokens:
                    units.append(_Unit(block, n, section.headings))
                    continue
                for sentence in split_sentences(block):
                    m = self.count(sentence)
                    if m <= self.max_tokens:
                        units.append(_Unit(sentence, m, section.headings))
                    else:
                        units.extend(self._hard_split(sentence, section.headings))
        return units

    def _tail(self, current: list[_Unit]) -> list[_Unit]:
        """Trailing whole sentences of ``current`` that fit in the overlap budget."""
        if not self.overlap or not current:
            return []
        last = current[-1]
        tail: list[_Unit] = []
        budget = self.overlap
        for sentence in reversed(split_sentences(last.text.split("\n")[-1])):
            n = self.count(sentence)
            if n > budget:
                break
            tail.insert(0, _Unit(sentence, n, last.headings))
            budget -= n
        return tail

    def split(self, doc: Document) -> list[Chunk]:
        """The document's chunks, in order."""
        groups: list[list[_Unit]] = []
        current: list[_Unit] = []
        size = 0
        for unit in self._units(doc):
            if current and size + unit.tokens > self.max_tokens:
                groups.append(current)
                budget = self.max_tokens - unit.tokens
                current = [u for u in self._tail(current) if u.tokens <= budget]
                size = sum(u.tokens for u in current)
            current.append(unit)
            size += unit.tokens
        if current:
            groups.append(current)
        return [self._chunk(doc, i, g) for i, g in enumerate(groups)]

    def _chunk(self, doc: Document, index: int, units: list[_Unit]) -> Chunk:
        text = "\n".join(u.text for u in units)
        return Chunk(
            chunk_id=chunk_id_for(doc.doc_id, doc.version, index),
            doc_id=doc.doc_id,
            index=index,
            text=text,
            headings=units[0].headings,
            n_tokens=sum(u.tokens for u in units),
        )


def embedding_text(title: str, chunk: Chunk) -> str:
    """What gets embedded and lexically indexed: title, heading path, then the text."""
    path = [h for h in chunk.headings if h != title]
    head = " > ".join([title, *path])
    return f"{head}\n{chunk.text}"
