"""Sentence and token tools shared by every stage: sentence splitting, the fact test, and
tiktoken encodings loaded from pinned package data (never downloaded)."""

from __future__ import annotations

import re
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
