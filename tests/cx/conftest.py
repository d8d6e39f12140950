"""Real models for the triage tests: the multilingual embedder and the shipped corpus."""

from collections.abc import Iterator

import pytest

from cxrag.cx import Triage, load_policy
from cxrag.cx.sentiment import SentimentModel
from cxrag.embed.onnx import UseMultilingualEmbedder
from cxrag.offline import default_cache_dir


@pytest.fixture(scope="session")
def use_embedder() -> UseMultilingualEmbedder:
    return UseMultilingualEmbedder()


@pytest.fixture(scope="session")
def sentiment(use_embedder: UseMultilingualEmbedder) -> SentimentModel:
    return SentimentModel(use_embedder, default_cache_dir() / "sentiment")


@pytest.fixture(scope="session")
def triage(use_embedder: UseMultilingualEmbedder, sentiment: SentimentModel) -> Iterator[Triage]:
    yield Triage(load_policy(), use_embedder, sentiment)
