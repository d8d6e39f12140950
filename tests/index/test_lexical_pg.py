"""The PostgreSQL lexical index: tantivy's ranking, filters, writes, replicas, a lost server.

Every test but the last runs on a temporary PostgreSQL database (``CXRAG_TEST_POSTGRES_URL``,
default the local server) and is skipped only when that server cannot be reached.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from cxrag.errors import IndexUnavailable
from cxrag.index.catalog import Filters
from cxrag.index.lexical import LexicalEntry, TantivyIndex
from cxrag.index.lexical_pg import PostgresLexicalIndex
from tests.databases import temporary_postgres


def entry(chunk_id: str, text: str, title: str = "", headings: tuple[str, ...] = (),
          language: str = "en", doc_type: str = "article", product: str | None = None,
          tags: tuple[str, ...] = ()) -> LexicalEntry:
    return LexicalEntry(chunk_id, chunk_id.split("#")[0], title, headings, text, language,
                        doc_type, product, tags)


# A small help centre in two languages: titles and headings that repeat body words (so the
# field weights matter), several chunks per document, filterable metadata on some.
CORPUS = [
    entry("returns#v1-0", "You can return an order within 30 days for a full refund.",
          "Returns and refunds", ("Returning an order",), tags=("returns", "orders")),
    entry("returns#v1-1", "Refunds reach your card 5 to 10 days after we receive the parcel. "
          "Return shipping is free for damaged items.", "Returns and refunds",
          ("Refund timing",), tags=("returns", "orders")),
    entry("shipping#v1-0", "Orders ship within 24 hours; delivery takes 3 to 5 days. Express "
          "delivery arrives the next day.", "Shipping", ("Delivery times",), product="store"),
    entry("shipping#v1-1", "Track your order from the link in the confirmation email. Orders "
          "to islands may take longer.", "Shipping", ("Tracking",), product="store",
          tags=("orders",)),
    entry("password#v1-0", "Forgot your password? Use the reset link on the sign-in page; the "
          "link expires after one hour.", "Reset your password", ("Account access",),
          doc_type="faq", tags=("account",)),
    entry("invoice#v1-0", "Download any invoice from your account page. Invoices include "
          "tax and the billing address of the order.", "Invoices", ("Billing",),
          doc_type="faq", tags=("billing",)),
    entry("camera#v1-0", "The camera switches to infrared night vision below 10 lux. Night "
          "mode can be forced from the app.", "Night vision", ("Camera settings",),
          doc_type="manual", product="cam"),
    entry("camera#v1-1", "Reset the camera by holding the button for ten seconds until the "
          "light blinks.", "Night vision", ("Troubleshooting",), doc_type="manual",
          product="cam"),
    entry("devoluciones#v1-0", "Puedes devolver tu pedido en 30 días naturales y te "
          "reembolsamos el importe completo.", "Devoluciones y reembolsos",
          ("Devolver un pedido",), language="es", tags=("returns", "orders")),
    entry("devoluciones#v1-1", "El reembolso llega a tu tarjeta entre 5 y 10 días después de "
          "recibir el paquete.", "Devoluciones y reembolsos", ("Plazos del reembolso",),
          language="es", tags=("returns",)),
    entry("envios#v1-0", "Los pedidos salen en 24 horas; la entrega tarda de 3 a 5 días "
          "laborables. La entrega exprés llega al día siguiente.", "Envíos",
          ("Plazos de entrega",), language="es", product="store"),
    entry("contrasena#v1-0", "¿Olvidaste tu contraseña? Usa el enlace de restablecimiento de "
          "la página de acceso; el enlace caduca en una hora.", "Restablecer la contraseña",
          ("Acceso a la cuenta",), language="es", doc_type="faq", tags=("account",)),
    entry("factura#v1-0", "Descarga cualquier factura desde la página de tu cuenta. Las "
          "facturas incluyen los impuestos y la dirección de facturación del pedido.",
          "Facturas", ("Facturación",), language="es", doc_type="faq", tags=("billing",)),
    entry("camara#v1-0", "La cámara pasa a visión nocturna por infrarrojos por debajo de 10 "
          "lux. El modo noche se puede forzar desde la app.", "Visión nocturna",
          ("Ajustes de la cámara",), language="es", doc_type="manual", product="cam"),
]
QUERIES = [
    ("how do I return my order and get a refund", "en"),
    ("delivery days for my order", "en"),
    ("reset password link", "en"),
    ("camera night vision reset", "en"),
    ("invoice with the billing address of my order", "en"),
    ("quiero devolver el pedido y el reembolso", "es"),
    ("cuántos días tarda la entrega del pedido", "es"),
    ("contraseña de la cuenta para ver mis pedidos", "es"),
    ("visión nocturna de la cámara", "es"),
    ("factura del pedido 30 días", "es"),
]


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """An engine on this module's own temporary database."""
    with temporary_postgres() as url:
        eng = create_engine(url, connect_args={"connect_timeout": 3})
        yield eng
        eng.dispose()


def space() -> tuple[str, str]:
    """A (tenant, collection) no other test uses."""
    return f"t-{uuid.uuid4().hex[:8]}", f"c-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def pg(engine: Engine) -> PostgresLexicalIndex:
    index = PostgresLexicalIndex(engine, *space())
    index.add(CORPUS)
    return index


@pytest.fixture
def tantivy(tmp_path: Path) -> TantivyIndex:
    index = TantivyIndex(tmp_path / "lex")
    index.add(CORPUS)
    return index


def tantivy_order(hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """tantivy's hits with exact ties broken by chunk id, as PostgreSQL breaks them
    (tantivy breaks them by insertion order)."""
    return sorted(hits, key=lambda h: (-round(h[1], 4), h[0]))


def assert_same_ranking(got: list[tuple[str, float]], want: list[tuple[str, float]],
                        rel: float = 1e-5) -> None:
    """The same chunks in the same order, with the same scores. Every field of CORPUS is
    under 40 terms, lengths tantivy's one-byte field norms keep exact, so scores agree to
    float precision (tantivy scores in f32); longer fields would differ by a few percent."""
    want = tantivy_order(want)
    assert [c for c, _ in got] == [c for c, _ in want]
    for (chunk_id, score), (_, expected) in zip(got, want, strict=True):
        assert score == pytest.approx(expected, rel=rel), chunk_id


# -- (a) the same ranking as tantivy ------------------------------------------------------------
@pytest.mark.parametrize(("query", "lang"), QUERIES)
def test_ranks_like_tantivy(pg: PostgresLexicalIndex, tantivy: TantivyIndex, query: str,
                            lang: str) -> None:
    want = tantivy.search(query, lang, k=20)
    assert len(want) >= 3  # the query means something to the corpus
    assert_same_ranking(pg.search(query, lang, k=20), want)
    # The top k is the head of the full ranking.
    assert pg.search(query, lang, k=2) == pg.search(query, lang, k=20)[:2]


def test_title_and_headings_weigh_more_than_the_body(pg: PostgresLexicalIndex) -> None:
    # "refund" is in both returns chunks' title; the second has it in the heading and the
    # body too, and ranks first; the Spanish chunk does not stem to the English term.
    hits = pg.search("refund", "en", k=10)
    assert [c for c, _ in hits] == ["returns#v1-1", "returns#v1-0"]


def test_ties_are_broken_by_chunk_id(engine: Engine) -> None:
    index = PostgresLexicalIndex(engine, *space())
    ids = ["é#v1-0", "b#v1-0", "z#v1-0", "a#v1-1", "a#v1-0"]
    index.add([entry(chunk_id, "the same words") for chunk_id in ids])
    hits = index.search("same words", "en", k=4)
    assert [c for c, _ in hits] == sorted(ids)[:4]  # code point order, whatever the locale
    assert len({s for _, s in hits}) == 1


def test_stop_words_and_empty_queries_match_nothing(pg: PostgresLexicalIndex) -> None:
    assert pg.search("the and of", "en", k=5) == []
    assert pg.search("", "en", k=5) == []
    assert pg.search("refund", "en", k=0) == []
    assert pg.search("zzzunknownterm", "en", k=5) == []


# -- (b) filters --------------------------------------------------------------------------------
@pytest.mark.parametrize("filters", [
    Filters(language="es"), Filters(language="en"), Filters(doc_type="faq"),
    Filters(doc_type="manual"), Filters(product="store"), Filters(product="nothing"),
    Filters(tag="returns"), Filters(tag="billing"), Filters(language="es", tag="orders"),
    Filters(doc_type="manual", product="cam", language="en"),
])
def test_filters_like_tantivy(pg: PostgresLexicalIndex, tantivy: TantivyIndex,
                              filters: Filters) -> None:
    for query, lang in QUERIES:
        assert_same_ranking(pg.search(query, lang, 20, filters),
                            tantivy.search(query, lang, 20, filters))


def test_filters(pg: PostgresLexicalIndex) -> None:
    def ids(query: str, lang: str, **kw: str) -> set[str]:
        return {c for c, _ in pg.search(query, lang, 20, Filters(**kw))}

    assert ids("30 días pedido order", "es", language="es") == {
        "devoluciones#v1-0", "envios#v1-0", "factura#v1-0"}
    assert ids("order", "en", tag="returns") == {"returns#v1-0"}
    assert ids("orders delivery", "en", product="store") == {"shipping#v1-0", "shipping#v1-1"}
    assert ids("reset", "en", doc_type="manual") == {"camera#v1-1"}
    assert ids("reset", "en", doc_type="faq") == {"password#v1-0"}
    assert ids("order", "en", product="nothing") == set()
    # A filter only removes: the chunks it keeps have the scores they have without it.
    plain = dict(pg.search("reset", "en", 20))
    assert all(plain[c] == s for c, s in pg.search("reset", "en", 20, Filters(doc_type="faq")))


# -- (c) writes ---------------------------------------------------------------------------------
def test_add_replaces_the_same_chunk_id(pg: PostgresLexicalIndex, engine: Engine) -> None:
    assert pg.count() == len(CORPUS)
    new = entry("returns#v1-0", "Exchanges are free for store credit.", "Exchanges",
                tags=("exchanges",))
    pg.add([new])
    assert pg.count() == len(CORPUS)
    assert [c for c, _ in pg.search("exchanges credit", "en", 5)] == ["returns#v1-0"]
    assert "returns#v1-0" not in {c for c, _ in pg.search("full refund 30", "en", 20)}
    assert [c for c, _ in pg.search("x", "en", 5, Filters(tag="exchanges"))] == []
    assert pg.search("exchanges", "en", 5, Filters(tag="returns")) == []
    # The space's totals follow the replacement: scores equal a fresh index of what is left.
    fresh = PostgresLexicalIndex(engine, *space())
    fresh.add([new if e.chunk_id == new.chunk_id else e for e in CORPUS])
    for query, lang in QUERIES:
        assert_same_ranking(pg.search(query, lang, 20), fresh.search(query, lang, 20), 1e-9)


def test_a_repeated_id_in_one_batch_keeps_the_last(engine: Engine) -> None:
    index = PostgresLexicalIndex(engine, *space())
    index.add([entry("a#v1-0", "first words"), entry("a#v1-0", "second words")])
    assert index.count() == 1
    assert index.search("first", "en", 5) == []
    assert [c for c, _ in index.search("second", "en", 5)] == ["a#v1-0"]


def test_delete_ids_for_doc_count_and_reset(pg: PostgresLexicalIndex, engine: Engine) -> None:
    pg.add([entry("returns#v2-0", "Returns are free.", "Returns")])
    assert pg.ids_for_doc("returns") == ["returns#v1-0", "returns#v1-1", "returns#v2-0"]
    assert pg.ids_for_doc("nothing") == []
    pg.delete(["returns#v1-0", "returns#v1-1", "unknown#x-0"])
    pg.delete([])
    assert pg.ids_for_doc("returns") == ["returns#v2-0"]
    assert pg.count() == len(CORPUS) - 1
    # Deletes take the chunks off the totals too.
    fresh = PostgresLexicalIndex(engine, *space())
    fresh.add([e for e in CORPUS if e.doc_id != "returns"]
              + [entry("returns#v2-0", "Returns are free.", "Returns")])
    for query, lang in QUERIES:
        assert_same_ranking(pg.search(query, lang, 20), fresh.search(query, lang, 20), 1e-9)
    pg.reset()
    assert pg.count() == 0 and pg.search("returns", "en", 5) == []
    assert pg.ids_for_doc("returns") == []
    pg.add([entry("again#v1-0", "Indexing works after a reset.")])
    assert pg.count() == 1 and [c for c, _ in pg.search("indexing", "en", 5)] == ["again#v1-0"]


def test_very_long_terms_are_indexed(engine: Engine) -> None:
    index = PostgresLexicalIndex(engine, *space())
    token = "x" * 5000
    index.add([entry("long#v1-0", f"serial {token}"), entry("other#v1-0", "serial number")])
    assert [c for c, _ in index.search(token, "en", 5)] == ["long#v1-0"]


# -- (d) replicas and collections ---------------------------------------------------------------
def test_two_replicas_share_one_index_and_collections_stay_apart(engine: Engine) -> None:
    other_engine = create_engine(engine.url, connect_args={"connect_timeout": 3})
    try:
        tenant, collection = space()
        one = PostgresLexicalIndex(engine, tenant, collection)
        two = PostgresLexicalIndex(other_engine, tenant, collection)
        one.add(CORPUS)
        assert two.count() == len(CORPUS)
        assert two.search("reset password", "en", 5) == one.search("reset password", "en", 5)
        two.delete(["password#v1-0"])
        assert "password#v1-0" not in {c for c, _ in one.search("password", "en", 5)}
        assert one.ids_for_doc("password") == []

        # Another collection of the same tenant, and the same collection of another tenant.
        neighbours = [PostgresLexicalIndex(other_engine, tenant, "elsewhere"),
                      PostgresLexicalIndex(engine, "someone-else", collection)]
        for n in neighbours:
            assert n.count() == 0 and n.search("order", "en", 5) == []
            assert n.ids_for_doc("returns") == []
        neighbours[0].add([entry("returns#v9-0", "order order order", "Order")])
        assert {c for c, _ in one.search("order", "en", 20)} <= {e.chunk_id for e in CORPUS}
        assert one.ids_for_doc("returns") == ["returns#v1-0", "returns#v1-1"]
        neighbours[0].reset()
        assert one.count() == len(CORPUS) - 1
    finally:
        other_engine.dispose()


def test_concurrent_writers_of_the_same_chunks(engine: Engine) -> None:
    other_engine = create_engine(engine.url, connect_args={"connect_timeout": 3})
    try:
        tenant, collection = space()
        replicas = [PostgresLexicalIndex(e, tenant, collection) for e in (engine, other_engine)]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda i: replicas[i % 2].add(CORPUS), range(8)))
        assert replicas[0].count() == len(CORPUS)
        fresh = PostgresLexicalIndex(engine, *space())
        fresh.add(CORPUS)
        assert replicas[1].search("order", "en", 20) == fresh.search("order", "en", 20)
    finally:
        other_engine.dispose()


# -- (e) no server ------------------------------------------------------------------------------
def test_a_server_that_is_not_there_is_index_unavailable() -> None:
    dead = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/postgres",
                         connect_args={"connect_timeout": 2})
    started = time.monotonic()
    with pytest.raises(IndexUnavailable, match="lexical index"):
        PostgresLexicalIndex(dead, "t", "c")
    assert time.monotonic() - started < 5
    dead.dispose()


def test_a_server_lost_after_opening_is_index_unavailable(engine: Engine) -> None:
    index = PostgresLexicalIndex(engine, *space())
    index.engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/postgres",
                                 connect_args={"connect_timeout": 2})
    try:
        for call in (lambda: index.search("order", "en", 5), index.count,
                     lambda: index.ids_for_doc("x"), lambda: index.add(CORPUS[:1]),
                     lambda: index.delete(["x"]), index.reset):
            with pytest.raises(IndexUnavailable, match="lexical index in PostgreSQL"):
                call()
    finally:
        index.engine.dispose()


def _analyses(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT coalesce(sum(analyze_count), 0) FROM pg_stat_user_tables "
            "WHERE relname = 'lexical_postings'").scalar_one())


def test_statistics_are_refreshed_for_the_planner(engine: Engine) -> None:
    """After an ingest the planner must know the postings (with an empty table's statistics
    it scanned every posting of a collection for each search)."""
    index = PostgresLexicalIndex(engine, *space())
    index.add(CORPUS)
    before = _analyses(engine)
    index.refresh_statistics()
    deadline = time.monotonic() + 10  # the statistics views are updated asynchronously
    while _analyses(engine) <= before:
        assert time.monotonic() < deadline, "no ANALYZE of lexical_postings was recorded"
        time.sleep(0.2)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
