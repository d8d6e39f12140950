"""How well the eval suite's tone classifier (the embedded model asked for one word, see
``cxrag.evals.tone``) labels sentiment, on public tweets it was never tuned on.

    .venv/bin/python benchmarks/tone_classifier.py [--n 300] [--seed 0]

A seeded random sample of ``../shared/datasets/airline-tweets-en/Tweets.csv`` (its natural mix
of negative, neutral and positive), each classified once at temperature 0. Reports accuracy,
F1 per class and macro, the share left unlabelled, and the time per text.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED, pct, save  # noqa: E402

LABELS = ("negative", "neutral", "positive")


def f1(gold: list[str], pred: list[str | None], label: str) -> float:
    tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
    fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
    fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import cxrag  # noqa: F401  (offline defaults first)
    from cxrag.compose.prompts import PromptLibrary
    from cxrag.evals.tone import ToneClassifier
    from cxrag.generate.client import build_chat
    from cxrag.generate.runtime import EmbeddedRuntime
    from cxrag.settings import LLMSettings

    with open(SHARED / "airline-tweets-en" / "Tweets.csv", encoding="utf-8") as fh:
        rows = [(r["text"], r["airline_sentiment"]) for r in csv.DictReader(fh)]
    sample = random.Random(args.seed).sample(rows, args.n)
    settings = LLMSettings(temperature=0.0)
    with EmbeddedRuntime(settings) as runtime:
        tone = ToneClassifier(build_chat(settings, runtime), PromptLibrary(ROOT / "prompts"))
        gold, pred, seconds = [], [], []
        for text, label in sample:
            began = time.perf_counter()
            pred.append(tone.label(text))
            seconds.append(time.perf_counter() - began)
            gold.append(label)
    per_class = {label: round(f1(gold, pred, label), 3) for label in LABELS}
    result = {
        "texts": args.n, "seed": args.seed,
        "gold_mix": {label: gold.count(label) for label in LABELS},
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / args.n, 3),
        "f1": per_class, "macro_f1": round(sum(per_class.values()) / len(LABELS), 3),
        "unlabelled": sum(p is None for p in pred),
        "seconds_per_text_p50": round(pct(seconds, 50), 3),
    }
    path = save("tone_classifier", result)
    print(result, "->", path)


if __name__ == "__main__":
    main()
