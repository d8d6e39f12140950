"""Language identification for documents and (short) queries, offline, via lingua."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

UNKNOWN = "und"


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]) -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [IsoCode639_1.from_str(code) for code in languages]
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()
    )


def detect_language(text: str, languages: Sequence[str] = ("es", "en")) -> str:
    """The ISO 639-1 code of the most likely language of ``text``, or ``"und"``."""
    sample = text[:2000].strip()
    if not sample or len(languages) == 0:
        return UNKNOWN
    if len(languages) == 1:
        return languages[0]
    found = _detector(tuple(languages)).detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else UNKNOWN


def language_confidences(text: str, languages: Sequence[str] = ("es", "en")) -> dict[str, float]:
    """Confidence per language (sums to 1) for ``text``."""
    values = _detector(tuple(languages)).compute_language_confidence_values(text[:2000])
    return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}


# Grammar words of one language that the other does not use: a stretch of text that holds
# them is prose in that language, not a product name or a UI label kept in the original
# ("el X-Rite i1 Display Pro", "el switch 'Texto Grande'").
FUNCTION_WORDS = {
    "en": frozenset(
        "the and of to is are was were you your with for that this it its be been can if not"
        " does do did any have has had on at by from or an will would should which what when"
        " where who how there their they them we our us but than then into about after"
        " before".split()),
    "es": frozenset(
        "el la los las del y que es son un una unos unas por para con se su sus lo al como"
        " más pero si está están este esta estos estas ese esa hay puede pueden tu tus te le"
        " les nos ya muy también cuando donde porque sin sobre entre hasta desde".split()),
}
MIXED_RUN = 4  # words in another language's stretch that make a sentence mixed
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|'[^']*'|\[\d+\]")
_WORD = re.compile(r"[^\W\d_]+")
# a name of several capitalised words, with the grammar words names hold ("Calle de la Ribera
# del Loira", "Bank of America"): its grammar words are the name's, not prose
_NAME = re.compile(r"\b[A-ZÁÉÍÓÚÑÜ][\w.&-]*(?:\s+(?:(?:de|del|la|las|los|el|y|of|the|and|for)"
                   r"\s+)*[A-ZÁÉÍÓÚÑÜ][\w.&-]*)+")


def foreign_run(text: str, language: str, languages: Sequence[str] = ("es", "en")) -> int:
    """Words in the longest stretch of ``text`` that reads as another of ``languages`` and holds
    at least two different ``FUNCTION_WORDS`` of that language (an unquoted label repeats one:
    "elige Can view o Can edit"), outside names of several capitalised words ("Calle de la
    Ribera del Loira" in an English sentence): "Even if a check does not report any damage, the
    filesystem puede estar marcado..." has an English stretch of 11 words in a Spanish sentence.
    Quoted text and citation marks are set aside first (a UI label or a product name quoted as
    written is no other language), and a language without a word list is never found. 0 when
    there is no such stretch."""
    others = [code for code in languages if code != language and code in FUNCTION_WORDS]
    sample = _QUOTED.sub(" ", text[:2000])
    if not others or not sample.strip():
        return 0
    longest = 0
    for found in _detector(tuple(languages)).detect_multiple_languages_of(sample):
        code = found.language.iso_code_639_1.name.lower()
        if code in others and found.word_count > longest:
            stretch = _NAME.sub(" ", sample[found.start_index:found.end_index])
            if len({w.lower() for w in _WORD.findall(stretch)} & FUNCTION_WORDS[code]) >= 2:
                longest = found.word_count
    return longest


def in_language(text: str, language: str, languages: Sequence[str] = ("es", "en")) -> bool:
    """Whether ``text`` is written in ``language`` (or cannot be told): detected as it, and
    without a stretch of another language's prose of ``MIXED_RUN`` words or more."""
    if detect_language(text, languages) not in (language, UNKNOWN):
        return False
    return foreign_run(text, language, languages) < MIXED_RUN
