"""Churn risk: signals, reasons and ranking; the pluggable analyzer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cxrag.insights.churn import CANCEL_INTENT
from cxrag.insights.service import insights
from cxrag.store import HistoryStore, TicketRecord
from tests.insights.conftest import TENANT, FakeAnalyzer

NOW = datetime.now(UTC).replace(microsecond=0)


def _ticket(store: HistoryStore, ref: str, who: str, days_ago: int, subject: str, text: str,
            csat: int | None = None) -> None:
    store.record_ticket(TENANT, TicketRecord(
        ref, who, subject, "closed", channel="email", category="billing_invoices",
        created_at=NOW - timedelta(days=days_ago), csat=csat, language="es",
        customer_text=text))


def _two_customers(store: HistoryStore) -> None:
    store.upsert_customer(TENANT, "ANGRY", name="Ana Enfadada", tier="plus")
    store.upsert_customer(TENANT, "CALM", name="Carlos Calma", tier="standard")
    _ticket(store, "T-A1", "ANGRY", 20, "Factura incorrecta", "Me habéis cobrado dos veces.", 1)
    _ticket(store, "T-A2", "ANGRY", 10, "Sigue mal la factura", "La factura sigue mal.")
    _ticket(store, "T-A3", "ANGRY", 2, "Baja", "QUIERO DARME DE BAJA de Tiendalia Plus YA!!")
    _ticket(store, "T-C1", "CALM", 15, "Duda sobre el envío", "¿Cuándo llega?", 5)
    _ticket(store, "T-C2", "CALM", 5, "Cambio de dirección", "¿Puedo cambiar la dirección?", 5)


def test_repeated_contacts_and_cancellation_rank_above_a_calm_customer(
        empty_store: HistoryStore) -> None:
    _two_customers(empty_store)
    churn = insights(empty_store, TENANT).churn
    assert [c.customer_id for c in churn] == ["ANGRY", "CALM"]
    angry, calm = churn
    assert angry.score > calm.score > 0
    assert (angry.name, angry.tier, angry.contacts, angry.recent_contacts) == (
        "Ana Enfadada", "plus", 3, 3)
    assert angry.reasons[0] == ('cancellation intent: "Baja QUIERO DARME DE BAJA de Tiendalia '
                                f'Plus YA!!" (T-A3, {(NOW - timedelta(days=2)).date()})')
    assert "3 contacts in the last 30 days" in angry.reasons
    assert "low CSAT: 1/5 on T-A1" in angry.reasons
    assert angry.reasons[-1] == "plus tier customer"
    assert not any("frustrat" in r for r in angry.reasons)  # no analyzer: no frustration
    assert calm.reasons == ["2 contacts in the last 30 days"]


def test_the_analyzer_adds_frustration_and_categorises_conversations(
        empty_store: HistoryStore) -> None:
    _two_customers(empty_store)
    empty_store.begin_turn(TENANT, channel="web", customer_id="CALM",
                           text="¿Me podéis reenviar la factura?")
    plain = insights(empty_store, TENANT)
    assert sum(plain.volume.by_category["uncategorised"]) == 1
    assert plain.analyzer is None

    report = insights(empty_store, TENANT, analyzer=FakeAnalyzer())
    assert report.analyzer == "FakeAnalyzer"
    assert "uncategorised" not in report.volume.by_category
    assert sum(report.volume.by_category["billing"]) == 1  # the conversation
    angry = report.churn[0]
    assert "frustrated in the latest contact (0.90, T-A3)" in angry.reasons
    assert "frustration rising: 0.10 → 0.90 over 3 contacts" in angry.reasons
    assert angry.score > plain.churn[0].score


def test_an_open_handoff_is_a_signal(empty_store: HistoryStore) -> None:
    conv, _ = empty_store.begin_turn(TENANT, channel="web", customer_id="C9", text="hola")
    empty_store.hand_off(TENANT, conv.id, channel="web", text="s", customer_id="C9",
                         meta={"handoff": {"reason": "requested"}})
    (risk,) = insights(empty_store, TENANT).churn
    assert (risk.customer_id, risk.name, risk.reasons) == (
        "C9", None, ["1 conversation(s) waiting for a person"])


def test_cancellation_intent_in_spanish_and_english() -> None:
    leaving = ["Quiero darme de baja de Tiendalia Plus", "quiero la baja inmediata",
               "Cancelar Tiendalia Plus y reembolso", "me voy a la competencia",
               "Please cancel my Luma Cloud annual plan", "I want to unsubscribe",
               "I'm switching to a competitor", "never ordering from you again",
               "no vuelvo a comprar aquí", "Cancel Luma Cloud annual plan"]
    staying = ["Please cancel order TL-US-2026-004051", "la paquetería me canceló dos citas",
               "¿Cancelo la visita del técnico?", "Can I switch to something cheaper?",
               "el precio ha bajado", "la bajada de precio"]
    assert all(CANCEL_INTENT.search(t) for t in leaving), [
        t for t in leaving if not CANCEL_INTENT.search(t)]
    assert not any(CANCEL_INTENT.search(t) for t in staying), [
        t for t in staying if CANCEL_INTENT.search(t)]


def test_churn_on_the_sample_tickets(store: HistoryStore) -> None:
    churn = insights(store, TENANT).churn
    assert churn and all(c.reasons for c in churn)
    assert [c.score for c in churn] == sorted((c.score for c in churn), reverse=True)
    top = churn[0]
    assert (top.customer_id, top.tier) == ("C0001", "plus")  # asked twice to leave Plus
    assert any("darme de baja" in r for r in top.reasons)
    assert top.name == "Lucía Fernández García"


def test_the_real_triage_analyzer_on_the_sample_tickets(store: HistoryStore) -> None:
    """Triage (zero-shot categories, sentiment, frustration) as the analyzer, real models."""
    from cxrag.cx import Triage, load_policy
    from cxrag.cx.analyzer import OUT_OF_SCOPE, TriageAnalyzer
    from cxrag.cx.sentiment import SentimentModel
    from cxrag.embed.onnx import UseMultilingualEmbedder
    from cxrag.offline import default_cache_dir

    embedder = UseMultilingualEmbedder()
    triage = Triage(load_policy(), embedder, SentimentModel(embedder,
                                                            default_cache_dir() / "sentiment"))
    conv = store.start_or_continue_conversation(TENANT, None, customer_id="C0003",
                                                channel="web")
    store.add_message(TENANT, conv.id, customer_id="C0003", role="user", channel="web",
                      text="¡ES LA TERCERA VEZ QUE ESCRIBO! Quiero mi dinero ya o me doy de baja")
    report = insights(store, TENANT, analyzer=TriageAnalyzer(triage))
    assert report.analyzer == "TriageAnalyzer"
    categories = set(report.volume.by_category)
    assert "uncategorised" not in categories  # the conversation got a triage category
    assert categories <= set(load_policy().categories) | {OUT_OF_SCOPE}
    carmen = next(c for c in report.churn if c.customer_id == "C0003")
    assert any("frustrat" in r for r in carmen.reasons), carmen.reasons
