"""The guard's mixed-language rule (``cxrag.language.in_language``) on text nobody here wrote.

    .venv/bin/python benchmarks/mixed_language.py

A small model answering a Spanish question over an English page sometimes writes half a
sentence in the page's English ("Even if a check does not report any damage, the filesystem
puede estar marcado como 'dirty'..."); the whole-sentence detector still reads it as Spanish.
The rule reads a sentence as mixed when lingua finds a stretch of the other language of at
least ``MIXED_RUN`` words that holds two different grammar words of that language
(``FUNCTION_WORDS``). Its risk is a right sentence dropped: one with a product name, a UI
label or an address kept in the original.

No model runs. Sentences of 6-45 words come from the Spanish and English GNOME help pages
(``gnome_help_es``, ``gnome_help_es2en``) and the project's own articles (clean: every one
should pass), and mixed ones are spliced from them: the first half of a sentence in one
language and the second half of one in the other, in the second's language (a mixed sentence
every one should be caught; real ones are often harder, with a shorter stretch). For each run
length, this counts the share flagged, with and without the grammar-word condition.

Writes ``bench-out/mixed_language.json`` and prints a table.
"""

from __future__ import annotations

import html
import random
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED, save  # noqa: E402

from cxrag.language import (  # noqa: E402
    _QUOTED,
    FUNCTION_WORDS,
    MIXED_RUN,
    _detector,
    foreign_run,
)
from cxrag.text import split_sentences  # noqa: E402

RUNS = (3, 4, 5, 6, 7)


def _plain(text: str) -> str:
    text = re.sub(r"^---.*?---", " ", text, flags=re.S)  # front matter
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"[#*`>|_\[\]]", " ", text)


def sentences(folders: list[Path], limit: int, rng: random.Random) -> list[str]:
    """Up to ``limit`` distinct sentences of 6-45 words from the text files in ``folders``."""
    found: list[str] = []
    for folder in folders:
        for path in sorted(folder.glob("*")):
            if path.suffix not in (".md", ".txt", ".html"):
                continue
            for line in _plain(path.read_text("utf-8", errors="ignore")).split("\n"):
                found += [s.strip() for s in split_sentences(line) if 6 <= len(s.split()) <= 45]
    unique = list(dict.fromkeys(found))
    rng.shuffle(unique)
    return unique[:limit]


def lingua_run(text: str, language: str) -> int:
    """The longest stretch lingua reads as the other language, without the word condition."""
    sample = _QUOTED.sub(" ", text)
    found = _detector(("es", "en")).detect_multiple_languages_of(sample)
    return int(max([r.word_count for r in found
                    if r.language.iso_code_639_1.name.lower() != language] or [0]))


def rates(runs: list[int]) -> dict[str, float]:
    return {str(k): round(sum(r >= k for r in runs) / len(runs), 4) for k in RUNS}


def main() -> int:
    rng = random.Random(0)
    es = (sentences([SHARED / "gnome_help_es" / "kb"], 1500, rng)
          + sentences([ROOT / "knowledge" / "articles" / "es"], 500, rng))
    en = (sentences([SHARED / "gnome_help_es2en" / "kb"], 1000, rng)
          + sentences([ROOT / "knowledge" / "articles" / "en"], 500, rng))
    mixed: list[tuple[str, str]] = []
    for _ in range(500):
        for first, second, language in ((en, es, "es"), (es, en, "en")):
            a, b = rng.choice(first).split(), rng.choice(second).split()
            mixed.append((" ".join(a[: len(a) // 2] + b[len(b) // 2:]), language))
    sets = {"clean es": [(s, "es") for s in es], "clean en": [(s, "en") for s in en],
            "mixed es": [m for m in mixed if m[1] == "es"],
            "mixed en": [m for m in mixed if m[1] == "en"]}
    table: dict[str, Any] = {}
    for name, items in sets.items():
        table[name] = {
            "n": len(items),
            "rule": rates([foreign_run(s, lang) for s, lang in items]),
            "lingua_only": rates([lingua_run(s, lang) for s, lang in items])}
    clean_flagged = [(s, foreign_run(s, lang)) for s, lang in sets["clean es"] + sets["clean en"]]
    examples = [s for s, run in clean_flagged if run >= MIXED_RUN][:10]
    print(f"share flagged by run length (the rule ships {MIXED_RUN}; "
          f"grammar words: {len(FUNCTION_WORDS['en'])} en, {len(FUNCTION_WORDS['es'])} es)")
    print(f"{'set':10} {'n':>5}  " + "  ".join(f"rule>={k:<2} lingua>={k:<2}" for k in RUNS))
    for name, row in table.items():
        print(f"{name:10} {row['n']:>5}  " + "  ".join(
            f"{row['rule'][str(k)]:>8.3f} {row['lingua_only'][str(k)]:>10.3f}" for k in RUNS))
    for sentence in examples:
        print("  clean, flagged:", sentence[:150])
    path = save("mixed_language", {"mixed_run": MIXED_RUN, "table": table,
                                   "clean_flagged": examples})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
