"""Sentiment on customer tweets the models never trained on (docs/benchmarks.md, "Sentiment").

    .venv/bin/python benchmarks/sentiment.py

All 14,640 tweets of ``../shared/datasets/airline-tweets-en/Tweets.csv`` (negative / neutral /
positive), testing only: nothing is fitted or tuned on them. Compared in the same run:
- cxrag's model (``cxrag.cx.sentiment``): logistic regression on the multilingual embedding,
  fitted on the project's own corpus (src/cxrag/cx/data/sentiment.jsonl);
- VADER (vaderSentiment 3.3.2, the usual lexicon baseline, English only), with its
  documented compound thresholds (>= 0.05 positive, <= -0.05 negative);
- the embedded LLM asked for one word is measured by benchmarks/tone_classifier.py (1.8 s a
  text: too slow to run on all tweets here).
Reports F1 per class, macro-F1, accuracy and ms per message (p50, one at a time, 300 tweets).
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, pct, save  # noqa: E402

LABELS = ("negative", "neutral", "positive")


def scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, object]:
    from sklearn.metrics import accuracy_score, f1_score

    per = f1_score(gold, pred, labels=list(LABELS), average=None)
    return {"f1": {label: round(float(v), 4) for label, v in zip(LABELS, per, strict=True)},
            "macro_f1": round(float(per.mean()), 4),
            "accuracy": round(float(accuracy_score(gold, pred)), 4),
            "predicted_mix": {label: list(pred).count(label) for label in LABELS}}


def per_message_ms(fn: Callable[[str], object], texts: Sequence[str]) -> float:
    fn(texts[0])
    times = []
    for text in texts:
        began = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - began) * 1000)
    return round(pct(times, 50), 3)


def main() -> None:
    import cxrag  # noqa: F401  (offline defaults first)
    from cxrag.cx.sentiment import SentimentModel, read_corpus
    from cxrag.embed.onnx import UseMultilingualEmbedder

    with open(SHARED / "airline-tweets-en" / "Tweets.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts, gold = [r["text"] for r in rows], [r["airline_sentiment"] for r in rows]
    result: dict[str, object] = {"tweets": len(texts),
                                 "gold_mix": {label: gold.count(label) for label in LABELS}}

    embedder = UseMultilingualEmbedder(batch_size=64)
    model = SentimentModel(embedder)
    corpus_texts, corpus_labels = read_corpus()
    began = time.perf_counter()
    model.probabilities(["warm up"])  # fits on the corpus
    cxrag_result = {"corpus": len(corpus_texts),
                    "fit_seconds": round(time.perf_counter() - began, 2)}
    pred = [s.label for s in model.analyse(texts)]
    cxrag_result |= scores(gold, pred)
    cxrag_result["ms_per_message_p50"] = per_message_ms(lambda t: model.analyse([t]), texts[:300])
    result["cxrag"] = cxrag_result
    print("cxrag", cxrag_result, flush=True)

    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        result["vader"] = "not installed (uv sync installs it with the dev group)"
    else:
        vader = SentimentIntensityAnalyzer()

        def label(text: str) -> str:
            compound = vader.polarity_scores(text)["compound"]
            return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 \
                else "neutral"

        vader_result = scores(gold, [label(t) for t in texts])
        vader_result["ms_per_message_p50"] = per_message_ms(label, texts[:300])
        result["vader"] = vader_result
        print("vader", vader_result, flush=True)
    print("->", save("sentiment", result))


if __name__ == "__main__":
    main()
