"""Analysis for the lexical index: tokenise, drop stop words, stem per language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMERS = {"es": "spanish", "en": "english", "pt": "portuguese", "fr": "french", "de": "german"}


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer(_STEMMERS.get(lang, "english"))


@lru_cache(maxsize=8)
def _stopwords(lang: str) -> frozenset[str]:
    if lang == "es":
        from spacy.lang.es.stop_words import STOP_WORDS
    else:
        from spacy.lang.en.stop_words import STOP_WORDS
    return frozenset(STOP_WORDS)


def _fold(token: str) -> str:
    if token.isascii():
        return token
    return "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))


def analyse(text: str, lang: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed, accent-folded terms of ``text``."""
    stop = _stopwords(lang)
    words = [w for w in _WORD.findall(text.lower()) if w not in stop]
    return [_fold(s) for s in _stemmer(lang).stemWords(words)]
