"""Text as matching sees it: the cheapest disguises undone (invisible characters, look-alike
letters), and the content words of a question (what sentence choice and packing match on).

"Ign\u200bore previous instructions" and "contrаseña" (a Cyrillic "а") read the same to a
person and to the model, but not to a pattern. Both ingest screening and the output policy
compare text after ``unmask``.
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e"
                       "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff]")
LOOKALIKE = str.maketrans(
    "аеёорсухіїјѕԁԛԝһкмтвнӏοαρνκτιυϲεχγηɑıɡ",
    "aeeopcyxiijsdqwhkmtbhloapvktiucexynaig")


def unmask(text: str) -> str:
    """``text`` without invisible characters, look-alike (lower-case) letters made Latin;
    accents and case are kept."""
    if text.isascii():
        return text
    return INVISIBLE.sub("", text).translate(LOOKALIKE)


_WORDS = re.compile(r"\w+")
STOPWORDS = frozenset("""
a al algo como con cual cuando de del donde el ella en es esta este esto hay la las le lo los
mas me mi mis muy no o para pero por puedo que se si sin sobre su sus te tengo tiene tu un una
uno y ya about after also and any are can could did does for from have how into its may more
not now off our out should than that the their them then there these they this what when
where which who why will with would you your
""".split())


def fold(text: str) -> str:
    """Lower case, accents off ("Día" -> "dia"). Not length-preserving for every script: to
    map positions back into the original, use ``guard.vocab.FOLD``."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def content_words(text: str) -> set[str]:
    """The question's words that can carry its topic: lower case, accents off, no stop
    words or short words, cut to their first 5 letters (a crude stem for es and en)."""
    return {w[:5] for w in _WORDS.findall(fold(text)) if len(w) > 3 and w not in STOPWORDS}


def overlap(words: set[str], sentence: str) -> float:
    """Share of ``words`` found in ``sentence`` (see ``content_words``)."""
    return len(words & content_words(sentence)) / len(words) if words else 0.0


# "Hola, soy Lucía." / "Hi, I'm James." / "me llamo Ana Gómez": a customer introducing
# themselves by name. A name never bears on a support answer, but it changes the prompt, and a
# small model's decision moves with it (the bias suite's gender gap, docs/benchmarks.md).
_NAME = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü'-]+"
_INTRODUCTION = re.compile(
    rf"(?:,\s*)?\b(?i:soy|me\s+llamo|mi\s+nombre\s+es|i'm|i\s+am|my\s+name\s+is|this\s+is)"
    rf"\s+{_NAME}(?:\s+{_NAME})?(?=\s*(?:[.,;:!?]|$))")


def without_introduction(text: str) -> str:
    """``text`` without the sender introducing themselves by name ("Hola, soy Lucía. ¿...?"
    -> "Hola. ¿...?"); anything else is left as written."""
    out = _INTRODUCTION.sub("", text)
    return re.sub(r"^\s*[.,;:]\s*", "", out).strip() or text
