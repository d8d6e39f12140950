"""Language identification for documents and (short) queries, offline, via lingua."""

from __future__ import annotations

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
