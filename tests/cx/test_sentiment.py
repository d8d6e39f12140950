"""Sentiment on the real embedder, fitted on the project's corpus; checked on tweets it never
saw (a seeded slice of airline-tweets-en; the whole set is the benchmark's)."""

import csv
import random
from collections import Counter
from pathlib import Path

import pytest

from cxrag.cx.sentiment import CORPUS, SentimentModel, normalise, read_corpus
from cxrag.embed.onnx import UseMultilingualEmbedder

TWEETS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "airline-tweets-en"


def test_the_corpus_covers_both_languages_and_every_label() -> None:
    texts, labels = read_corpus()
    assert len(texts) >= 2000 and len(set(t.lower() for t in texts)) == len(texts)
    import json
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    counts = Counter((r["lang"], r["label"]) for r in rows)
    for lang in ("es", "en"):
        for label in ("negative", "neutral", "positive"):
            assert counts[(lang, label)] >= 200, counts


@pytest.mark.parametrize("text, label", [
    ("Gracias, el repartidor fue muy amable y llegó antes de tiempo", "positive"),
    ("Thank you so much, the agent sorted it out in minutes!", "positive"),
    ("¿A qué hora abre la tienda de Valencia el sábado?", "neutral"),
    ("Can I change the delivery address of my order?", "neutral"),
    ("Llevo dos semanas esperando el reembolso y nadie me contesta", "negative"),
    ("@AcmeShop charged twice for the same order, great job...", "negative"),
])
def test_clear_cases_in_spanish_and_english(sentiment: SentimentModel, text: str,
                                            label: str) -> None:
    result = sentiment.analyse([text])[0]
    assert result.label == label, result
    assert sum(result.probabilities.values()) == pytest.approx(1, abs=1e-3)
    assert result.score == result.probabilities[label]


def test_normalise_drops_handles_and_links() -> None:
    assert normalise("@Brand hola  http://x.co/a  ¿qué tal? a@b.com") == "hola ¿qué tal? a@b.com"


def test_the_fitted_model_is_cached_and_reused(use_embedder: UseMultilingualEmbedder,
                                               tmp_path: Path) -> None:
    first = SentimentModel(use_embedder, tmp_path)
    first.analyse(["hola"])
    cached = list(tmp_path.glob("sentiment-*.joblib"))
    assert len(cached) == 1
    again = SentimentModel(use_embedder, tmp_path)
    again.fit = None  # type: ignore[assignment,method-assign]  # would fail if called
    assert again.analyse(["hola"])[0].label == first.analyse(["hola"])[0].label


def test_tweets_it_never_saw(sentiment: SentimentModel) -> None:
    if not TWEETS.is_dir():
        pytest.skip("../shared/datasets is not beside the project")
    from sklearn.metrics import f1_score

    with (TWEETS / "Tweets.csv").open(encoding="utf-8") as fh:
        rows = [(r["text"], r["airline_sentiment"]) for r in csv.DictReader(fh)]
    sample = random.Random(7).sample(rows, 600)
    predicted = [s.label for s in sentiment.analyse([t for t, _ in sample])]
    gold = [g for _, g in sample]
    per = f1_score(gold, predicted, labels=["negative", "neutral", "positive"], average=None)
    # the benchmark (all 14,640 tweets) must reach 0.80 / 0.65; a slice gets some slack
    assert per[0] >= 0.77 and per.mean() >= 0.60, per
