"""The catalogue on both engines: a SQLite file (the default) and PostgreSQL (shared tables,
one ``space`` per collection, what replicas share)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cxrag.documents import Chunk, Document
from cxrag.errors import IndexUnavailable
from cxrag.index.catalog import Catalog
from cxrag.index.schema import create_tables
from cxrag.store.db import make_engine
from tests.databases import temporary_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.sqlite'}"
        return
    with temporary_postgres() as pg:
        yield pg


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    made = make_engine(url)
    create_tables(made)
    yield made
    made.dispose()


def doc(doc_id: str, text: str, version: str = "h1") -> tuple[Document, list[Chunk]]:
    document = Document(doc_id, doc_id.title(), f"{doc_id}.md", "article", "en", "2026-01-01",
                        version, [], tags=["returns"], product="luma")
    chunks = [Chunk(f"{doc_id}#{version}:{i}", doc_id, i, f"{text} {i}", ("Intro",), 5)
              for i in range(3)]
    return document, chunks


def test_documents_commit_replace_and_read_back(engine: Engine) -> None:
    catalog = Catalog(engine, "t/kb")
    document, chunks = doc("refunds", "Refunds take five days")
    catalog.commit_document(document, "/kb/refunds.md", chunks)
    catalog.record_source("/kb/refunds.md", "/kb", "f1", ["refunds"])
    assert catalog.stats() == {"documents": 1, "chunks": 3}
    stored = catalog.fetch_chunks([chunks[1].chunk_id, "nope#x:0"])
    assert list(stored) == [chunks[1].chunk_id]
    got = stored[chunks[1].chunk_id]
    assert (got.text, got.headings, got.title, got.tags, got.product) == (
        "Refunds take five days 1", ("Intro",), "Refunds", ("returns",), "luma")
    assert catalog.chunk_ids("refunds") == [c.chunk_id for c in chunks]
    # A new version replaces the rows in one transaction.
    document2, chunks2 = doc("refunds", "Refunds take ten days", "h2")
    catalog.commit_document(document2, "/kb/refunds.md", chunks2[:1])
    assert catalog.chunk_ids("refunds") == [chunks2[0].chunk_id]
    assert catalog.document_hashes(["refunds", "other"]) == {"refunds": "h2"}
    manifest = catalog.manifest()
    assert manifest.source_hash("/kb/refunds.md") == "f1"
    assert manifest.documents == {"refunds": ("h2", "/kb/refunds.md")}
    assert [c.text for batch in catalog.iter_chunks() for c in batch] == [
        "Refunds take ten days 0"]
    catalog.hand_over("refunds", "/kb/refunds.md", "/kb/moved.md", "moved.md")
    assert catalog.document_owner("refunds") == "/kb/moved.md"
    assert catalog.sources_under("/kb") == {"/kb/refunds.md": []}
    catalog.set_meta("fingerprint", "a")
    catalog.set_meta("fingerprint", "b")
    assert catalog.get_meta("fingerprint") == "b" and catalog.get_meta("other") is None
    catalog.mark_pending(["refunds", "x"])
    catalog.mark_pending(["x"])
    catalog.clear_pending(["x"])
    assert catalog.pending() == ["refunds"]
    catalog.delete_document("refunds")
    assert catalog.stats() == {"documents": 0, "chunks": 0}
    catalog.clear()
    assert catalog.manifest().sources == {} and catalog.pending() == []


def test_collections_share_tables_but_never_rows(engine: Engine) -> None:
    one, two = Catalog(engine, "t/one"), Catalog(engine, "t/two")
    document, chunks = doc("same-id", "Shipping is free")
    one.commit_document(document, "/a.md", chunks)
    two.commit_document(*doc("same-id", "Envío gratis", "h9")[:1], "/b.md", [])
    assert one.stats() == {"documents": 1, "chunks": 3}
    assert two.stats() == {"documents": 1, "chunks": 0}
    two.clear()
    assert one.stats()["chunks"] == 3 and one.fetch_chunks([chunks[0].chunk_id])


def test_a_second_replica_reads_what_the_first_committed(url: str) -> None:
    first, second = make_engine(url), make_engine(url)
    try:
        create_tables(first)
        create_tables(second)  # replicas starting together: idempotent
        document, chunks = doc("faq", "We reply within a day")
        Catalog(first, "t/kb").commit_document(document, "/faq.md", chunks)
        assert Catalog(second, "t/kb").chunk_ids("faq") == [c.chunk_id for c in chunks]
    finally:
        first.dispose()
        second.dispose()


def test_a_database_that_is_not_there_is_index_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/none")
    began = time.perf_counter()
    with pytest.raises(IndexUnavailable, match="catalogue database"):
        create_tables(engine)
    with pytest.raises(IndexUnavailable):
        Catalog(engine, "t/kb").stats()
    assert time.perf_counter() - began < 15
