"""The retrieval legs overlap: the lexical search runs while the query is embedded and the
chunk vectors are searched, and the document vectors are searched beside the chunk vectors."""

import threading
from pathlib import Path

import pytest

from cxrag.knowledge import Knowledge


def test_lexical_and_document_legs_run_beside_the_chunk_search(
        knowledge: Knowledge, sample_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = knowledge.get()
    assert base.ingestor.run([sample_kb]).ok
    chunk_search_running = threading.Event()
    seen_by = {}
    real_lexical, real_docs = base.lexical.search, base.index.query_docs
    real_chunks = base.index.query_chunks

    def lexical(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Sequential legs would make this wait the whole timeout: the chunk search has not begun.
        seen_by["lexical"] = chunk_search_running.wait(timeout=5)
        return real_lexical(*args, **kwargs)

    def docs(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen_by["docs"] = chunk_search_running.wait(timeout=5)
        return real_docs(*args, **kwargs)

    def chunks(*args, **kwargs):  # type: ignore[no-untyped-def]
        chunk_search_running.set()
        return real_chunks(*args, **kwargs)

    monkeypatch.setattr(base.lexical, "search", lexical)
    monkeypatch.setattr(base.index, "query_docs", docs)
    monkeypatch.setattr(base.index, "query_chunks", chunks)
    hits = base.retriever.search("gift cards expire", k=3).hits
    assert seen_by == {"lexical": True, "docs": True}
    assert hits and hits[0].document_id == "en/gift-cards"


def test_a_failing_leg_fails_the_search(knowledge: Knowledge, sample_kb: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    base = knowledge.get()
    assert base.ingestor.run([sample_kb]).ok

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("tantivy index gone")

    monkeypatch.setattr(base.lexical, "search", broken)
    with pytest.raises(RuntimeError, match="tantivy index gone"):
        base.retriever.search("gift cards", k=3)
    assert base.retriever.search("gift cards", k=3, mode="dense").hits
