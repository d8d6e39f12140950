"""Settings come from the environment (CXRAG_ prefix, __ between levels) and are checked."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from cxrag.errors import InvalidName
from cxrag.settings import Settings


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(__import__("os").environ):
        if key.startswith("CXRAG_"):
            monkeypatch.delenv(key)
    s = settings()
    assert (s.retrieval.weight_lexical, s.retrieval.weight_dense_chunk,
            s.retrieval.weight_dense_doc) == (0.3, 0.4, 0.3)
    assert s.retrieval.min_relevance == 0.0 and s.retrieval.mode == "hybrid"
    assert s.prompts.context_tokens == 300 and s.guard.min_support == 0.375
    assert s.database.startswith("sqlite:///") and s.chroma_path == Path("data") / "chroma"


def test_nested_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXRAG_RETRIEVAL__MIN_RELEVANCE", "0.3")
    monkeypatch.setenv("CXRAG_RETRIEVAL__LANGUAGES", '["es"]')
    monkeypatch.setenv("CXRAG_DATA_DIR", "/srv/cxrag")
    s = settings()
    assert s.retrieval.min_relevance == 0.3 and s.retrieval.languages == ["es"]
    assert s.collection_dir("acme", "faq") == Path("/srv/cxrag/collections/acme/faq")


@pytest.mark.parametrize(("name", "value"), [
    ("CXRAG_RETRIEVAL__MIN_RELEVANCE", "1.5"),
    ("CXRAG_RETRIEVAL__MODE", "semantic"),
    ("CXRAG_RETRIEVAL__CANDIDATES", "5"),
    ("CXRAG_PROMPTS__CONTEXT_TOKENS", "lots"),
    ("CXRAG_COLLECTION", "../etc"),
    ("CXRAG_TENANT", "a b"),
])
def test_a_bad_value_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch, name: str,
                                               value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises((ValidationError, InvalidName)) as info:
        settings()
    field = name.removeprefix("CXRAG_").split("__")[-1].lower()
    assert field in str(info.value).lower()
