"""Ingestion on real Chroma (embedded) and the real SQLite catalogue, with a fake embedder."""

import shutil
from pathlib import Path

import pytest

from cxrag.index.lexical import TantivyIndex
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeEmbedder


def _counts(knowledge: Knowledge) -> tuple[int, int, int]:
    """(documents, chunks, vectors); the lexical index always holds what the catalogue does
    once an ingest has finished."""
    base = knowledge.get()
    stats = base.catalog.stats()
    return stats["documents"], stats["chunks"], base.index.count()


def _lexical_matches_catalogue(knowledge: Knowledge) -> bool:
    base = knowledge.get()
    committed = {c.chunk_id for batch in base.catalog.iter_chunks() for c in batch}
    indexed = {c for d in {c.split("#")[0] for c in committed} for c in base.lexical.ids_for_doc(d)}
    return indexed == committed and base.lexical.count() == len(committed)


def test_ingest_every_format_then_search(knowledge: Knowledge, sample_kb: Path) -> None:
    report = knowledge.get().ingestor.run([sample_kb])
    assert report.ok, report.failures
    assert (report.added, report.documents_seen) == (5, 5)
    docs, chunks, vectors = _counts(knowledge)
    assert docs == 5 and chunks == vectors == report.chunks_written
    hits = knowledge.get().retriever.search("infrared night vision camera", k=3).hits
    assert hits[0].document_id == "en/night-vision"
    assert hits[0].source.endswith("night-vision.pdf") and hits[0].language == "en"


def test_reingest_is_incremental_and_never_duplicates(knowledge: Knowledge,
                                                      sample_kb: Path) -> None:
    ingestor = knowledge.get().ingestor
    ingestor.run([sample_kb])
    before = _counts(knowledge)
    again = ingestor.run([sample_kb])
    assert (again.added, again.updated, again.unchanged, again.chunks_written) == (0, 0, 5, 0)
    assert _counts(knowledge) == before

    (sample_kb / "en" / "gift-cards.txt").write_text(
        "Gift cards\n\nGift cards expire after five years.\n", encoding="utf-8")
    (sample_kb / "es" / "devoluciones.md").unlink()
    changed = ingestor.run([sample_kb])
    assert (changed.updated, changed.removed, changed.unchanged) == (1, 1, 3)
    docs, chunks, vectors = _counts(knowledge)
    assert docs == 4 and chunks == vectors and _lexical_matches_catalogue(knowledge)
    hit = knowledge.get().retriever.search("gift cards expire", k=1, mode="lexical").hits[0]
    assert "five years" in hit.text
    assert knowledge.get().retriever.search("imprime la etiqueta", k=5, mode="lexical").hits == []


def test_full_rebuild(knowledge: Knowledge, sample_kb: Path) -> None:
    ingestor = knowledge.get().ingestor
    ingestor.run([sample_kb])
    report = ingestor.run([sample_kb], full=True)
    assert report.added == 5 and _counts(knowledge)[0] == 5


def test_corrupt_file_is_reported_and_the_rest_indexed(knowledge: Knowledge,
                                                       sample_kb: Path) -> None:
    (sample_kb / "en" / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (sample_kb / "en" / "notes.xyz").write_text("what is this")
    (sample_kb / "en" / "empty.md").write_text("")
    report = knowledge.get().ingestor.run([sample_kb])
    assert not report.ok
    failed = {Path(f.source).name: f.code for f in report.failures}
    assert failed == {"broken.pdf": "empty_document", "notes.xyz": "unsupported_format",
                      "empty.md": "empty_document"}
    assert report.added == 5
    docs, chunks, vectors = _counts(knowledge)
    assert docs == 5 and chunks == vectors


class Boom(RuntimeError):
    pass


def test_interrupted_ingest_leaves_index_consistent(knowledge: Knowledge, sample_kb: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    base = knowledge.get()
    base.ingestor.batch_chunks = 1  # one document per write batch, so the crash lands mid-run
    real_add_doc = base.index.add_docs
    calls = {"n": 0}

    def crash_on_third(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise Boom("power cut after the chunk vectors were written")
        return real_add_doc(*args, **kwargs)

    monkeypatch.setattr(base.index, "add_docs", crash_on_third)
    with pytest.raises(Boom):
        base.ingestor.run([sample_kb])
    # Half-written: Chroma holds chunks of a document the catalogue never committed.
    docs, chunks, vectors = _counts(knowledge)
    assert docs == 2 and vectors > chunks
    # Search never shows uncommitted chunks.
    for hit in base.retriever.search("garantía dispositivos Luma", k=10).hits:
        assert hit.chunk_id in base.catalog.fetch_chunks([hit.chunk_id])
    monkeypatch.setattr(base.index, "add_docs", real_add_doc)
    report = base.ingestor.run([sample_kb])
    assert report.ok and report.added == 3 and report.unchanged == 2
    docs, chunks, vectors = _counts(knowledge)
    assert docs == 5 and chunks == vectors
    assert base.catalog.pending() == [] and _lexical_matches_catalogue(knowledge)


def test_crash_before_the_catalogue_commit_leaves_no_stale_lexical_hits(
        knowledge: Knowledge, sample_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = knowledge.get()
    base.ingestor.run([sample_kb])
    (sample_kb / "en" / "gift-cards.txt").write_text(
        "Gift cards\n\nGift cards expire after five years, said the zebra.\n", encoding="utf-8")

    def power_cut(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Boom("power cut before the catalogue commit")

    monkeypatch.setattr(base.catalog, "commit_document", power_cut)
    with pytest.raises(Boom):
        base.ingestor.run([sample_kb])
    # The new version is in the lexical index but not committed: search must not show it.
    assert base.lexical.ids_for_doc("en/gift-cards") != base.catalog.chunk_ids("en/gift-cards")
    assert base.retriever.search("zebra", k=5, mode="lexical").hits == []
    hit = base.retriever.search("gift cards", k=1).hits[0]
    assert "never expire" in hit.text
    monkeypatch.undo()
    report = base.ingestor.run([sample_kb])
    assert report.ok and report.updated == 1
    assert _lexical_matches_catalogue(knowledge)
    assert "zebra" in base.retriever.search("zebra", k=1, mode="lexical").hits[0].text


def test_a_lost_lexical_index_is_rebuilt_from_the_catalogue(
        settings: Settings, fake_embedder: FakeEmbedder, sample_kb: Path) -> None:
    first = Knowledge(settings, embedder=fake_embedder)
    first.get().ingestor.run([sample_kb])
    lexical = first.get().lexical
    if isinstance(lexical, TantivyIndex):
        first.close()
        shutil.rmtree(lexical.path)  # the folder is gone
    else:
        lexical.reset()  # the tables were emptied (the server configuration)
        first.close()
    second = Knowledge(settings, embedder=fake_embedder)
    try:
        assert _lexical_matches_catalogue(second)
        hit = second.get().retriever.search("infrared night vision", k=1, mode="lexical").hits[0]
        assert hit.document_id == "en/night-vision"
    finally:
        second.close()


def test_ticket_exports_only_index_resolved(knowledge: Knowledge, tmp_path: Path) -> None:
    import json

    from tests.ingest.test_tickets import TICKET

    export = tmp_path / "tickets" / "export.jsonl"
    export.parent.mkdir()
    rows = [TICKET, {**TICKET, "id": "TK-2", "status": "pending", "resolution": None}]
    export.write_text("\n".join(json.dumps(r) for r in rows))
    report = knowledge.get().ingestor.run([export.parent])
    assert report.ok and report.added == 1
    hit = knowledge.get().retriever.search("reembolso devolución", k=1).hits[0]
    assert hit.document_id == "ticket/TK-1" and hit.doc_type == "ticket"
    assert "C0007" not in str(hit.as_dict())


def test_two_roots_do_not_delete_each_other(knowledge: Knowledge, sample_kb: Path,
                                            tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "faq.md").write_text("# FAQ\n\nWe answer within one day.\n")
    ingestor = knowledge.get().ingestor
    ingestor.run([sample_kb])
    report = ingestor.run([other])
    assert report.removed == 0 and _counts(knowledge)[0] == 6
    shutil.rmtree(other)
    other.mkdir()
    assert ingestor.run([other]).removed == 1


def test_a_ticket_moving_to_another_export_is_kept_and_a_duplicate_is_refused(
        knowledge: Knowledge, tmp_path: Path) -> None:
    import json

    from tests.ingest.test_tickets import TICKET

    folder = tmp_path / "tickets"
    folder.mkdir()
    second = {**TICKET, "id": "TK-2", "subject": "Cambio de talla",
              "resolution": "Cambiamos la talla sin coste en 3 días."}
    (folder / "a.jsonl").write_text(json.dumps(TICKET) + "\n" + json.dumps(second))
    (folder / "b.jsonl").write_text("")
    ingestor = knowledge.get().ingestor
    assert ingestor.run([folder]).added == 2
    # TK-2 moves from a.jsonl to b.jsonl in one run: it is neither lost nor a duplicate.
    (folder / "a.jsonl").write_text(json.dumps(TICKET))
    (folder / "b.jsonl").write_text(json.dumps(second))
    report = ingestor.run([folder])
    assert not [f for f in report.failures if f.code == "duplicate_id"], report.failures
    catalog = knowledge.get().catalog
    assert catalog.document_owner("ticket/TK-2") == str(folder / "b.jsonl")
    assert catalog.stats()["documents"] == 2 and _lexical_matches_catalogue(knowledge)
    # The same id in two files at once: the second is refused, the first keeps it.
    (folder / "c.jsonl").write_text(json.dumps({**second, "resolution": "Otra respuesta."}))
    report = ingestor.run([folder])
    assert [f.code for f in report.failures] == ["duplicate_id"]
    assert catalog.document_owner("ticket/TK-2") == str(folder / "b.jsonl")


def test_new_chunk_settings_reprocess_without_duplicate_lexical_entries(
        settings: Settings, fake_embedder: FakeEmbedder, sample_kb: Path) -> None:
    from cxrag.settings import ChunkingSettings

    first = Knowledge(settings, embedder=fake_embedder)
    first.get().ingestor.run([sample_kb])
    first.close()
    # Same content (same document versions, so the same chunk ids) chunked differently.
    changed = settings.model_copy(update={"chunking": ChunkingSettings(max_tokens=32,
                                                                       overlap_tokens=4)})
    second = Knowledge(changed, embedder=fake_embedder)
    try:
        report = second.get().ingestor.run([sample_kb])
        assert report.ok and report.updated == 5
        assert _lexical_matches_catalogue(second)
    finally:
        second.close()


def test_embedding_starts_small_and_writes_are_grouped(
        knowledge: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedder starts after the first few documents (batches double from
    ``first_batch_chunks``), while the stores are written in groups of at least
    ``batch_chunks`` chunks (each write has a fixed cost), the rest at the end."""
    kb = tmp_path / "many"
    kb.mkdir()
    for i in range(24):
        (kb / f"doc-{i:02d}.md").write_text(
            f"# Topic {i}\n\nParagraph about topic {i} and its details.\n", encoding="utf-8")
    base = knowledge.get()
    base.ingestor.first_batch_chunks, base.ingestor.batch_chunks = 1, 8
    embedded: list[int] = []
    written: list[int] = []
    real_embed, real_add = knowledge.embedder.embed_documents, base.index.add_chunks
    monkeypatch.setattr(knowledge.embedder, "embed_documents",
                        lambda texts: embedded.append(len(texts)) or real_embed(texts))
    monkeypatch.setattr(base.index, "add_chunks",
                        lambda ids, *a: written.append(len(ids)) or real_add(ids, *a))
    report = base.ingestor.run([kb])
    assert report.ok and report.added == 24 and report.chunks_written == 24
    # One chunk per document: batches of 1, 2, 4, 8, 8, 1 documents (title + chunk each).
    assert embedded == [2, 4, 8, 16, 16, 2]
    # The first three batches (7 chunks) wait for the fourth; every write but the last >= 8.
    assert sum(written) == 24 and all(n >= 8 for n in written[:-1]) and len(written) < 6
    assert _counts(knowledge) == (24, 24, 24) and _lexical_matches_catalogue(knowledge)


def test_a_failed_write_stops_the_run_and_later_batches_are_not_written(
        knowledge: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = tmp_path / "many"
    kb.mkdir()
    for i in range(12):
        (kb / f"doc-{i:02d}.md").write_text(f"# Topic {i}\n\nAbout topic {i}.\n")
    base = knowledge.get()
    base.ingestor.first_batch_chunks, base.ingestor.batch_chunks = 2, 2
    calls = {"n": 0}
    real_add = base.index.add_chunks

    def fail_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise Boom("disk full")
        return real_add(*args, **kwargs)

    monkeypatch.setattr(base.index, "add_chunks", fail_first)
    with pytest.raises(Boom):
        base.ingestor.run([kb])
    assert calls["n"] == 1 and base.catalog.stats()["documents"] == 0
    monkeypatch.undo()
    report = base.ingestor.run([kb])
    assert report.ok and report.added == 12 and base.catalog.pending() == []


def test_broken_exports_are_reported_and_never_stop_the_run(knowledge: Knowledge,
                                                            sample_kb: Path) -> None:
    (sample_kb / "contacts.csv").write_text("name,email\nAna,ana@example.com\n")
    (sample_kb / "huge-field.csv").write_text(
        "id,status,resolution\nTK-1,closed," + "x" * 200_000 + "\n")
    (sample_kb / "events.jsonl").write_text('{"event": "login"}\n{"event": "logout"}\n')
    report = knowledge.get().ingestor.run([sample_kb])
    failed = {Path(f.source).name: f.reason for f in report.failures}
    assert set(failed) == {"contacts.csv", "huge-field.csv", "events.jsonl"}
    assert "missing required columns id, status, resolution" in failed["contacts.csv"]
    assert "field larger than field limit" in failed["huge-field.csv"]
    assert "missing required columns" in failed["events.jsonl"]
    assert report.added == 5


def test_the_same_files_from_a_new_folder_move_instead_of_clashing(
        knowledge: Knowledge, sample_kb: Path, tmp_path: Path) -> None:
    ingestor, catalog = knowledge.get().ingestor, knowledge.get().catalog
    ingestor.run([sample_kb])
    before = _counts(knowledge)
    moved = shutil.copytree(sample_kb, tmp_path / "moved")
    (moved / "en" / "gift-cards.txt").write_text("Gift cards\n\nGift cards expire in 2099.\n")
    report = ingestor.run([moved])
    assert report.ok, report.failures
    assert (report.unchanged, report.updated, report.added, report.removed) == (4, 1, 0, 0)
    assert catalog.document_owner("en/night-vision") == str(moved / "en" / "night-vision.pdf")
    hit = knowledge.get().retriever.search("infrared night vision camera", k=1).hits[0]
    assert hit.source == (moved / "en" / "night-vision.pdf").as_posix()
    assert _counts(knowledge) == before and _lexical_matches_catalogue(knowledge)
    # Back to the first folder: its files are read again and take their documents back.
    again = ingestor.run([sample_kb])
    assert again.ok and (again.unchanged, again.updated) == (4, 1)
    assert catalog.document_owner("en/gift-cards") == str(sample_kb / "en" / "gift-cards.txt")
    # Both folders in one run: a real duplicate, refused.
    both = ingestor.run([sample_kb, moved])
    assert [f.code for f in both.failures] == ["duplicate_id"] * 5
    assert catalog.document_owner("en/gift-cards") == str(sample_kb / "en" / "gift-cards.txt")
