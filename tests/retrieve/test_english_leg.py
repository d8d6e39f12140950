"""The English leg (``CXRAG_RETRIEVAL__ENGLISH_LEG``): English documents also get vectors of an
English model in their own index, English questions search it, and its vectors follow every
update and removal of the documents."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from cxrag.knowledge import Knowledge, KnowledgeBase
from cxrag.retrieve.fusion import Signal, Weights, fuse
from cxrag.settings import Settings
from tests.conftest import FakeEmbedder


class EnglishFake(FakeEmbedder):
    """Another model id and size than the main fake: a leg of its own."""

    model_id = "fake-hash-32-en"
    dimension = 32


@pytest.fixture
def with_leg(settings: Settings, fake_embedder: FakeEmbedder,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Knowledge]:
    settings.retrieval.english_leg = True
    k = Knowledge(settings, embedder=fake_embedder)
    monkeypatch.setattr(Knowledge, "legs_embedder", EnglishFake())
    yield k
    k.close()


def english_chunks(base: KnowledgeBase) -> set[str]:
    return {c.chunk_id for batch in base.catalog.iter_chunks() for c in batch
            if c.language == "en"}


def leg_chunk_ids(base: KnowledgeBase, doc_id: str) -> list[str]:
    return base.retriever.legs["en"].index.ids_for_doc(doc_id)[0]


def ranking(fused: dict[str, float]) -> list[str]:
    return sorted(fused, key=lambda d: -fused[d])


def test_a_second_leg_weighs_in_like_the_others() -> None:
    lexical = {"a": 5.0, "b": 4.9, "c": 1.0}
    dense = {"a": 0.50, "b": 0.49, "c": 0.20}
    assert ranking(fuse(lexical, dense, dense, Weights()))[0] == "a"
    # The English model tells the two close candidates apart.
    leg = {"a": 0.30, "b": 0.70, "c": 0.25}
    assert ranking(fuse(lexical, dense, dense, Weights(), (Signal(0.25, leg),)))[0] == "b"
    # A flat leg adds nothing; a document only the leg found still ranks.
    assert fuse(lexical, dense, dense, Weights(), (Signal(0.25, dict.fromkeys(dense, 0.4)),)) \
        == fuse(lexical, dense, dense, Weights())
    assert "d" in fuse(lexical, dense, dense, Weights(), (Signal(0.25, {**leg, "d": 0.9}),))


def test_a_leg_leaves_the_documents_it_cannot_read_where_the_others_put_them() -> None:
    # An English question; the answer is a Spanish page the English model has no vector of.
    lexical = {"es/answer": 3.0, "en/near": 2.9, "en/far": 1.0}
    dense = {"es/answer": 0.70, "en/near": 0.60, "en/far": 0.30}
    leg = {"en/near": 0.41, "en/far": 0.40, "en/other": 0.39}
    plain = fuse(lexical, dense, dense, Weights())
    assert ranking(plain)[0] == "es/answer"
    # At the leg's floor, the page loses its place to an English one the leg barely prefers.
    assert ranking(fuse(lexical, dense, dense, Weights(), (Signal(0.25, leg),)))[0] == "en/near"
    blind = fuse(lexical, dense, dense, Weights(), (Signal(0.25, leg, {"es/answer"}),))
    assert ranking(blind)[0] == "es/answer" and blind["es/answer"] == plain["es/answer"]


def test_english_documents_and_only_they_get_the_legs_vectors(
        with_leg: Knowledge, sample_kb: Path) -> None:
    base = with_leg.get()
    assert base.ingestor.run([sample_kb]).ok
    leg = base.retriever.legs["en"]
    english = english_chunks(base)
    assert english and leg.index.count() == len(english)
    assert base.index.count() > len(english)  # the Spanish ones are in the main index only
    for doc_id in ("en/gift-cards", "en/shipping", "en/night-vision"):
        assert set(leg_chunk_ids(base, doc_id)) <= english and leg_chunk_ids(base, doc_id)
    assert leg_chunk_ids(base, "es/devoluciones") == []


def test_english_questions_search_the_leg_spanish_ones_do_not(
        with_leg: Knowledge, sample_kb: Path) -> None:
    base = with_leg.get()
    assert base.ingestor.run([sample_kb]).ok
    english = base.retriever.evidence("do gift cards expire?")
    assert english.query_language == "en"
    assert english.leg and set(english.leg) <= english_chunks(base)
    assert base.retriever.search("do gift cards expire?", k=1).hits[0].document_id == \
        "en/gift-cards"
    spanish = base.retriever.evidence("¿cuántos días tengo para devolver un pedido?")
    assert spanish.query_language == "es" and spanish.leg == {}
    # Lexical mode asks no dense leg at all.
    assert base.retriever.evidence("do gift cards expire?", mode="lexical").leg == {}


def test_the_legs_vectors_follow_updates_and_removals(with_leg: Knowledge,
                                                      sample_kb: Path) -> None:
    base = with_leg.get()
    assert base.ingestor.run([sample_kb]).ok
    before = set(leg_chunk_ids(base, "en/gift-cards"))
    (sample_kb / "en" / "gift-cards.txt").write_text(
        "Gift cards\n\nGift cards expire after five years and work on marketplace items too.\n",
        encoding="utf-8")
    report = base.ingestor.run([sample_kb])
    assert report.updated == 1
    after = set(leg_chunk_ids(base, "en/gift-cards"))
    assert after and not after & before  # the old version's vectors are gone
    assert after == {c for c in english_chunks(base) if c.startswith("en/gift-cards#")}
    shutil.rmtree(sample_kb / "en")
    base.ingestor.run([sample_kb])
    assert base.retriever.legs["en"].index.count() == 0
    assert base.retriever.evidence("do gift cards expire?").leg == {}


def test_switching_the_leg_on_re_processes_every_document(
        settings: Settings, fake_embedder: FakeEmbedder, sample_kb: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    plain = Knowledge(settings, embedder=fake_embedder)
    assert plain.get().ingestor.run([sample_kb]).added == 5
    plain.close()
    settings.retrieval.english_leg = True
    monkeypatch.setattr(Knowledge, "legs_embedder", EnglishFake())
    leg_on = Knowledge(settings, embedder=fake_embedder)
    base = leg_on.get()
    report = base.ingestor.run([sample_kb])
    # Unchanged files, and still every document embedded again: none is left outside the leg.
    assert report.updated == 5
    assert base.retriever.legs["en"].index.count() == len(english_chunks(base))
    assert base.ingestor.run([sample_kb]).unchanged == 5  # and only once
    leg_on.close()


def test_the_leg_and_an_english_main_model_exclude_each_other() -> None:
    with pytest.raises(ValidationError, match="ENGLISH_LEG"):
        Settings(embedding={"model": "minilm-en"}, retrieval={"english_leg": True},
                 _env_file=None)  # type: ignore[call-arg]


def test_the_english_leg_is_minilm_by_default(settings: Settings, fake_embedder: FakeEmbedder,
                                              sample_kb: Path) -> None:
    """The real model, end to end: settings on, ingest, an English question."""
    settings.retrieval.english_leg = True
    k = Knowledge(settings, embedder=fake_embedder)
    try:
        base = k.get()
        leg = base.retriever.legs["en"]
        assert leg.embedder.model_id == "all-minilm-l6-v2-int8" and leg.weight == 0.25
        assert base.ingestor.run([sample_kb]).ok
        found = base.retriever.evidence("what happens to the camera picture in the dark?")
        best = max(found.leg, key=lambda c: found.leg[c])
        assert found.chunk_doc[best] == "en/night-vision"
    finally:
        k.close()
