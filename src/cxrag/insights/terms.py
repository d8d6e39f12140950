"""Distinctive terms of a group of texts against the rest, to label a topic."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
# Greetings and support small talk that say nothing about the topic.
_NOISE = frozenset("""hola buenas buenos dias tardes noches gracias saludos favor ayuda ayudar
necesito quiero puedo podéis podeis podrías podrias pasa ocurre tengo tienen
hello thanks thank please help need want get got just hey dear regards""".split())


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Spanish and English stop words, and support small talk."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.es.stop_words import STOP_WORDS as ES

    return frozenset(EN) | frozenset(ES) | _NOISE


def terms(text: str) -> set[str]:
    """The distinct content words of ``text``, lower-cased."""
    stop = stop_words()
    return {w for w in _WORD.findall(text.lower()) if w not in stop}


def distinctive(groups: Sequence[int], docs: Sequence[set[str]], group: int,
                top: int = 4) -> list[str]:
    """The terms most typical of ``group``: share of its texts having the term, minus the share
    of the other texts having it (ties: the more frequent term first)."""
    inside = [d for g, d in zip(groups, docs, strict=True) if g == group]
    outside = [d for g, d in zip(groups, docs, strict=True) if g != group]
    df_in = Counter(t for d in inside for t in d)
    df_out = Counter(t for d in outside for t in d)
    n_in, n_out = len(inside), max(len(outside), 1)
    scored = [(df_in[t] / n_in - df_out[t] / n_out, df_in[t], t) for t in df_in
              if df_in[t] >= 2 or n_in == 1]
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [t for score, _, t in scored[:top] if score > 0]
