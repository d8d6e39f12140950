"""Sentence and token tools shared by every stage: sentence splitting, the fact test, and
tiktoken encodings loaded from pinned package data (never downloaded)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cxrag.offline import prepare_tiktoken

# A sentence ends at . ! ? … (optionally followed by quotes/brackets) before whitespace and an
# upper-case letter, a digit, or Spanish opening marks.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)\]]*\s+(?=[¿¡\"'“«(\[]?[A-ZÁÉÍÓÚÑÜ0-9])")


@lru_cache(maxsize=4)
def encoding(name: str) -> Any:
    """A tiktoken encoding loaded from the pinned package data (never downloaded)."""
    prepare_tiktoken()
    import tiktoken

    return tiktoken.get_encoding(name)


MIN_FACT_WORDS = 4  # shorter sentences ("Hola, Ana.", a heading, a link) state no fact
_FACT_WORD = re.compile(r"\w+")


def states_fact(sentence: str) -> bool:
    """Whether a sentence is long enough to state a fact."""
    return len(_FACT_WORD.findall(sentence)) >= MIN_FACT_WORDS


def opens_list(sentence: str) -> bool:
    """Whether ``sentence`` opens a list (it ends with a colon: "elige una de estas
    opciones:"), which says nothing without the items after it."""
    return sentence.rstrip().endswith(":")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (Spanish and English punctuation)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


_ENDS = (".", "!", "?", "…", ":", ";", ")", "]", "\"", "'", "”", "»")
_MARKS = re.compile(r"^(?:\[\d+\]\s*)+")
_END_IN = re.compile(r"[.!?…](?=\s|$)")
MIN_COPIED_WORDS = 3  # a shorter cut-off copy could come from any sentence


def finished(text: str, sources: Sequence[str] = (), *, after_fact: bool = False) -> str:
    """``text`` whose last sentence has no end (no final mark, no citation), as a model
    stopped at its token limit leaves it ("... la emitimos en 5 días há"): completed with the
    rest of the sentence of ``sources`` (the passages) it copies word for word; else dropped
    when the sentences before it state a fact (a sentence cut there can say the opposite of
    the passage: "If you return an item bought with the discount"); else, the reply's one
    sentence (a long translated list), kept and marked as cut with "…", for the guard to
    judge as any other. ``after_fact``: ``text`` is the end of a reply whose earlier
    sentences (not in ``text``) state a fact (a stream's last sentence)."""
    parts = split_sentences(text)
    if not parts or parts[-1].endswith(_ENDS):
        return text
    head = text[:text.rfind(parts[-1])].rstrip()
    tail = " ".join(_MARKS.sub("", parts[-1]).split())
    if len(tail.split()) >= MIN_COPIED_WORDS:
        for source in sources:
            flat = " ".join(source.split())
            at = flat.find(tail)
            if at >= 0:
                rest = flat[at + len(tail):]
                end = _END_IN.search(rest)
                return f"{head} {tail}{rest[:end.end()] if end else rest}".strip()
    if after_fact or any(states_fact(_MARKS.sub("", s)) for s in split_sentences(head)):
        return head
    return f"{text.rstrip()}…"
