"""The tantivy lexical index on disk: BM25 ranking, filters, deletes, locking, reopening."""

from pathlib import Path

import pytest

from cxrag.errors import IndexUnavailable
from cxrag.index.catalog import Filters
from cxrag.index.lexical import LexicalEntry, TantivyIndex


def entry(chunk_id: str, text: str, title: str = "Help", language: str = "en",
          doc_type: str = "article", product: str | None = None,
          tags: tuple[str, ...] = ()) -> LexicalEntry:
    return LexicalEntry(chunk_id, chunk_id.split("#")[0], title, ("Section",), text, language,
                        doc_type, product, tags)


ENTRIES = [
    entry("returns#v1-0", "You can return an order within 30 days for a full refund.",
          title="Returns", tags=("returns",)),
    entry("shipping#v1-0", "Orders ship within 24 hours; delivery takes 3 to 5 days.",
          title="Shipping", product="store"),
    entry("devoluciones#v1-0", "Puedes devolver tu pedido en 30 días naturales.",
          title="Devoluciones", language="es", tags=("returns",)),
    entry("camera#v1-0", "The camera switches to infrared night vision below 10 lux.",
          title="Night vision", doc_type="manual", product="cam"),
]


@pytest.fixture
def index(tmp_path: Path) -> TantivyIndex:
    idx = TantivyIndex(tmp_path / "lexical")
    idx.add(ENTRIES)
    return idx


def test_ranks_by_bm25_with_stemming_and_title_weight(index: TantivyIndex) -> None:
    hits = index.search("returning orders", "en", k=10)
    # "returning" is stemmed to "return"; the Returns article has it in title and body.
    assert hits[0][0] == "returns#v1-0"
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert {c for c, _ in hits} == {"returns#v1-0", "shipping#v1-0"}
    # Spanish analysis folds accents and stems: "devolución" finds "devolver".
    assert index.search("devolución del pedido", "es", k=3)[0][0] == "devoluciones#v1-0"


def test_stop_words_and_empty_queries_match_nothing(index: TantivyIndex) -> None:
    assert index.search("the and of", "en", k=5) == []
    assert index.search("", "en", k=5) == []
    assert index.search("returns", "en", k=0) == []


def test_filters(index: TantivyIndex) -> None:
    def ids(query: str, lang: str, **kw: str) -> set[str]:
        return {c for c, _ in index.search(query, lang, 10, Filters(**kw))}

    assert ids("30 days orders", "en", tag="returns") == {"returns#v1-0", "devoluciones#v1-0"}
    assert ids("orders", "en", tag="returns") == {"returns#v1-0"}
    assert ids("orders", "en", product="store") == {"shipping#v1-0"}
    assert ids("night vision orders", "en", doc_type="manual") == {"camera#v1-0"}
    assert ids("30", "en", language="es") == {"devoluciones#v1-0"}
    assert ids("orders", "en", product="nothing") == set()
    # A filter adds no score: same order with and without it.
    plain = [c for c, _ in index.search("orders 30 days", "en", 10)
             if c in {"returns#v1-0", "shipping#v1-0"}]
    assert [c for c, _ in index.search("orders 30 days", "en", 10,
                                       Filters(language="en"))] == plain


def test_delete_ids_for_doc_count_and_reset(index: TantivyIndex) -> None:
    assert index.count() == 4
    index.add([entry("returns#v2-0", "Returns are free.", title="Returns")])
    assert sorted(index.ids_for_doc("returns")) == ["returns#v1-0", "returns#v2-0"]
    index.delete(["returns#v1-0", "unknown#x-0"])
    assert index.ids_for_doc("returns") == ["returns#v2-0"]
    assert index.ids_for_doc("nothing") == []
    index.reset()
    assert index.count() == 0 and index.search("returns", "en", 5) == []


def test_persists_and_sees_other_writers(tmp_path: Path, index: TantivyIndex) -> None:
    other = TantivyIndex(tmp_path / "lexical")  # e.g. the server while the CLI ingests
    assert other.count() == 4
    index.add([entry("warranty#v1-0", "Two years of warranty on every device.")])
    assert other.search("warranty", "en", 5) == [("warranty#v1-0", pytest.approx(
        index.search("warranty", "en", 5)[0][1]))]


def test_a_second_writer_waits_for_the_lock_then_fails_clearly(tmp_path: Path,
                                                               index: TantivyIndex) -> None:
    other = TantivyIndex(tmp_path / "lexical", lock_timeout_s=0.3)
    with index._writer():  # another process holding the writer lock, as far as `other` sees
        with pytest.raises(IndexUnavailable, match="locked by another writer"):
            other.add([entry("x#v1-0", "blocked")])
    other.add([entry("x#v1-0", "unblocked text")])
    assert index.search("unblocked", "en", 5)[0][0] == "x#v1-0"


def test_a_failed_write_rolls_back(index: TantivyIndex) -> None:
    with pytest.raises(RuntimeError), index._writer() as writer:
        writer.delete_all_documents()
        raise RuntimeError("crash mid-write")
    assert index.count() == 4
    index.add([entry("after#v1-0", "still writable")])  # the lock was released
    assert index.count() == 5


def test_an_index_with_an_old_schema_is_replaced(tmp_path: Path) -> None:
    import tantivy

    path = tmp_path / "lexical"
    path.mkdir()
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("something_else", stored=True)
    tantivy.Index(sb.build(), path=str(path))
    idx = TantivyIndex(path)
    assert idx.count() == 0
    idx.add(ENTRIES[:1])
    assert idx.search("refund", "en", 3)[0][0] == "returns#v1-0"
