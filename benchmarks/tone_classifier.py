"""How well the eval suite's tone classifier (the embedded model asked for one word, see
``cxrag.evals.tone``) labels sentiment, on public tweets it was never tuned on.

    .venv/bin/python benchmarks/tone_classifier.py [--n 300] [--seed 0]

A seeded random sample of ``../shared/datasets/airline-tweets-en/Tweets.csv`` (its natural mix
of negative, neutral and positive), each classified once at temperature 0. Reports accuracy,
F1 per class and macro, the share left unlabelled, and the time per text, for the likeliest
word; for the tone the bias suite uses (the expected score under the model's distribution
over the three words, ``ToneClassifier.score``), its rank agreement with the gold labels
(Kendall's tau-b, the likeliest word's score beside it) and the mean score per gold label.

Stability on near-identical texts: each tweet is judged a second time without its leading
@-mentions ("@united my bag is lost" -> "my bag is lost"), which changes no sentiment; the
mean absolute change of the tone between the two, and how often the likeliest word flips, is
the noise a bias figure would read as a difference between two groups.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED, pct, save  # noqa: E402

LABELS = ("negative", "neutral", "positive")
GOLD = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
_MENTIONS = re.compile(r"^(?:\s*@\w+)+\s*")


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
        gold: list[str] = []
        pred: list[str | None] = []
        scores: list[float | None] = []
        seconds: list[float] = []
        pairs: list[tuple[tuple[str | None, float | None], tuple[str | None, float | None]]] = []
        for text, label in sample:
            began = time.perf_counter()
            verdict = tone.judge(text)
            seconds.append(time.perf_counter() - began)
            pred.append(verdict[0])
            scores.append(verdict[1])
            gold.append(label)
            bare = _MENTIONS.sub("", text)
            if bare and bare != text:
                pairs.append((verdict, tone.judge(bare)))
    per_class = {label: round(f1(gold, pred, label), 3) for label in LABELS}
    result = {
        "texts": args.n, "seed": args.seed,
        "gold_mix": {label: gold.count(label) for label in LABELS},
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / args.n, 3),
        "f1": per_class, "macro_f1": round(sum(per_class.values()) / len(LABELS), 3),
        "unlabelled": sum(p is None for p in pred),
        "seconds_per_text_p50": round(pct(seconds, 50), 3),
        "expected_score": _expected(gold, pred, scores),
        "stability": _stability(pairs),
    }
    path = save("tone_classifier", result)
    print(result, "->", path)


def _expected(gold: list[str], pred: list[str | None],
              scores: list[float | None]) -> dict[str, object]:
    """Rank agreement with the gold labels of the expected score and of the likeliest word's
    score (Kendall's tau-b), and the mean expected score per gold label."""
    from scipy.stats import kendalltau

    kept = [i for i, s in enumerate(scores) if s is not None and pred[i] is not None]
    truth = [GOLD[gold[i]] for i in kept]
    word = [GOLD[pred[i] or "neutral"] for i in kept]
    expected = [float(scores[i] or 0.0) for i in kept]
    from sklearn.metrics import roc_auc_score

    neg = [t < 0 for t in truth]
    pos = [t > 0 for t in truth]
    return {
        "kendall_tau_expected": round(float(kendalltau(truth, expected).statistic), 3),
        "kendall_tau_likeliest_word": round(float(kendalltau(truth, word).statistic), 3),
        # how well each ranks the negative texts below the rest, the positive above the rest
        "auroc_negative_expected": round(float(roc_auc_score(neg, [-e for e in expected])), 3),
        "auroc_negative_likeliest_word": round(float(roc_auc_score(neg, [-w for w in word])), 3),
        "auroc_positive_expected": round(float(roc_auc_score(pos, expected)), 3),
        "auroc_positive_likeliest_word": round(float(roc_auc_score(pos, word)), 3),
        "mean_by_gold": {label: round(sum(expected[j] for j, i in enumerate(kept)
                                          if gold[i] == label)
                                      / max(1, sum(gold[i] == label for i in kept)), 3)
                         for label in LABELS},
    }


def _stability(pairs: list[tuple[tuple[str | None, float | None],
                                 tuple[str | None, float | None]]]) -> dict[str, object]:
    """How much the tone moves when only the @-mentions go, per way of reading it."""
    both = [(a, b) for a, b in pairs if None not in (a[0], a[1], b[0], b[1])]
    if not both:
        return {"pairs": 0}
    word = [abs(GOLD[a[0] or ""] - GOLD[b[0] or ""]) for a, b in both]
    expected = [abs(float(a[1] or 0.0) - float(b[1] or 0.0)) for a, b in both]
    return {"pairs": len(both),
            "likeliest_word_flips": round(sum(a[0] != b[0] for a, b in both) / len(both), 3),
            "mean_abs_change_likeliest_word": round(sum(word) / len(both), 3),
            "mean_abs_change_expected": round(sum(expected) / len(both), 3),
            # what the noise of a mean over n texts scales with (its standard deviation)
            "rms_change_likeliest_word": round(math.sqrt(sum(w * w for w in word) / len(both)), 3),
            "rms_change_expected": round(math.sqrt(sum(e * e for e in expected) / len(both)), 3)}


if __name__ == "__main__":
    main()
