"""Each SQL store on its own, on a session factory of its own, used only through its Protocol
(what a later backend will implement), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from cxrag.errors import InvalidName, InvalidRequest
from cxrag.store import (
    ConversationForbidden,
    ConversationNotFound,
    ConversationStore,
    CustomerNotFound,
    CustomerStore,
    FeedbackStore,
    FeedbackTargetNotFound,
    PersonalDataStore,
    SqlConversationStore,
    SqlCustomerStore,
    SqlFeedbackStore,
    SqlPersonalDataStore,
    TicketRecord,
    make_engine,
    make_sessions,
)
from cxrag.store.models import Draft
from cxrag.store.tickets import import_ticket_exports
from cxrag.store.types import now

CARD = "4111 1111 1111 1111"


@dataclass
class Stores:
    customers: CustomerStore
    conversations: ConversationStore
    feedback: FeedbackStore
    personal_data: PersonalDataStore


@pytest.fixture
def sql(database_url: str) -> Iterator[Stores]:
    """The four SQL stores on one new engine: no HistoryStore involved."""
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    yield Stores(SqlCustomerStore(sessions), SqlConversationStore(sessions),
                 SqlFeedbackStore(sessions), SqlPersonalDataStore(sessions))
    engine.dispose()


def test_customer_store(sql: Stores, tenant: str, other_tenant: str, tmp_path: Path) -> None:
    customers = sql.customers
    with pytest.raises(CustomerNotFound):
        customers.upsert_order(tenant, "C1", "O1", status="placed")
    with pytest.raises(CustomerNotFound):
        customers.add_event(tenant, "C1", "login")
    with pytest.raises(InvalidName):
        customers.get_customer("../x", "C1")

    ana = customers.upsert_customer(tenant, "C1", name="Ana", tier="gold",
                                    attributes={"city": "Madrid"})
    assert customers.get_customer(tenant, "C1") == ana
    assert customers.get_customer(other_tenant, "C1") is None
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    customers.upsert_order(tenant, "C1", "O1", status="placed", total="10", placed_at=t0)
    customers.upsert_order(tenant, "C1", "O2", status="shipped", placed_at=t0 + timedelta(1))
    customers.add_event(tenant, "C1", "login", {"ip": "x"}, at=t0)

    history = customers.customer_history(tenant, "C1", limit_orders=1)
    assert history.customer == ana
    assert [o.id for o in history.orders] == ["O2"]  # newest first, limited
    assert [(e.kind, e.data, e.at) for e in history.events] == [("login", {"ip": "x"}, t0)]
    with pytest.raises(InvalidRequest):
        customers.customer_history(tenant, "C1", limit_orders=501)

    source = tmp_path / "customers.json"
    source.write_text(json.dumps([
        {"id": "C2", "name": "Bob", "orders": [{"order_id": "O3", "status": "placed"}]},
        {"id": "C3", "name": "Eva"}]))
    counts = customers.import_customers_json(other_tenant, source)
    assert (counts.customers, counts.orders) == (2, 1)
    assert [o.id for o in customers.customer_history(other_tenant, "C2").orders] == ["O3"]
    assert customers.get_customer(tenant, "C2") is None


def test_conversation_store(database_url: str, sql: Stores, tenant: str,
                            tmp_path: Path) -> None:
    conversations = sql.conversations
    web = conversations.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    conv, earlier = conversations.begin_turn(tenant, customer_id="C1", channel="whatsapp",
                                             text=f"my card {CARD}")
    assert (conv.id, conv.channel, earlier) == (web.id, "whatsapp", [])
    answer = conversations.add_message(tenant, conv.id, customer_id="C1", role="assistant",
                                       channel="whatsapp", text="Hi!")
    _, earlier = conversations.begin_turn(tenant, conv.id, customer_id="C1",
                                          channel="whatsapp", history=1)
    assert [m.id for m in earlier] == [answer.id]
    turns = conversations.recent_messages(tenant, conv.id, customer_id="C1")
    assert [m.role for m in turns] == ["user", "assistant"] and CARD not in turns[0].text

    with pytest.raises(ConversationForbidden):
        conversations.recent_messages(tenant, conv.id, customer_id="C2")
    with pytest.raises(ConversationNotFound):
        conversations.conversation_for_agent(tenant, "no-such-conversation")

    conversations.hand_off(tenant, conv.id, customer_id="C1", channel="whatsapp",
                           text="to a person", meta={"handoff": {"queue": "billing"}})
    seen, turns = conversations.conversation_for_agent(tenant, conv.id)
    assert seen.status == "handoff" and turns[-1].role == "system"
    owned, _ = conversations.conversation(tenant, conv.id, customer_id="C1", limit=1)
    assert owned.status == "handoff"

    assert conversations.contact_count(tenant, "C1", 7) == 1
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text(json.dumps({"id": "T1", "customer_id": "C1", "subject": "Refund"}))
    assert import_ticket_exports(conversations, tenant, [tickets]) == 1  # any ConversationStore
    old = TicketRecord("T2", "C1", "Old", "solved", created_at=now() - timedelta(days=30))
    assert conversations.record_ticket(tenant, old).subject == "Old"
    assert conversations.contact_count(tenant, "C1", 7) == 2
    assert conversations.contact_count(tenant, "C1", 7, exclude_conversation=conv.id) == 1

    # continue_within belongs to this store: with none, every start is a new conversation
    engine = make_engine(database_url)
    at_once = SqlConversationStore(make_sessions(engine), continue_within=timedelta(0))
    again = at_once.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    assert again.id != conv.id
    engine.dispose()


def test_feedback_store(sql: Stores, tenant: str, other_tenant: str) -> None:
    feedback = sql.feedback
    draft = feedback.save_draft(tenant, ticket={"id": "TK-1", "body": CARD},
                                text="Refunded [1].", citations=["refunds#1"], model="qwen")
    assert CARD not in json.dumps(draft.ticket)
    with pytest.raises(FeedbackTargetNotFound):
        feedback.add_feedback(other_tenant, "draft", draft.id, accepted=True)
    on_draft = feedback.add_feedback(tenant, "draft", draft.id, accepted=False,
                                     comment=f"card {CARD}")

    conv = sql.conversations.start_or_continue_conversation(tenant, visitor_id="v1",
                                                            channel="web")
    question = sql.conversations.add_message(tenant, conv.id, visitor_id="v1", role="user",
                                             channel="web", text="Refund?")
    answer = sql.conversations.add_message(tenant, conv.id, visitor_id="v1",
                                           role="assistant", channel="web", text="Yes.")
    with pytest.raises(FeedbackTargetNotFound):
        feedback.rate_message(tenant, conv.id, question.id, visitor_id="v1", rating=5)
    with pytest.raises(ConversationForbidden):
        feedback.rate_message(tenant, conv.id, answer.id, visitor_id="v2", rating=5)
    first = feedback.rate_message(tenant, conv.id, answer.id, visitor_id="v1", rating=1)
    second = feedback.rate_message(tenant, conv.id, answer.id, visitor_id="v1", rating=4)
    assert second.id == first.id and second.rating == 4  # one verdict per reply

    exported = feedback.export_feedback(tenant)
    assert [(e["id"], e["target_kind"]) for e in exported] == [
        (on_draft.id, "draft"), (first.id, "message")]
    assert exported[0]["target"]["text"] == "Refunded [1]." and CARD not in exported[0]["comment"]
    assert exported[1]["rating"] == 4 and exported[1]["target"]["question"] == "Refund?"
    assert feedback.export_feedback(other_tenant) == []


def test_personal_data_store(database_url: str, sql: Stores, tenant: str,
                             other_tenant: str) -> None:
    for who in (tenant, other_tenant):
        sql.customers.upsert_customer(who, "C1", name="Ana")
        conv = sql.conversations.start_or_continue_conversation(who, customer_id="C1",
                                                                channel="web")
        sql.conversations.add_message(who, conv.id, customer_id="C1", role="user",
                                      channel="web", text="hola")
        sql.feedback.save_draft(who, ticket={"customer_id": "C1"}, text="Hola")

    data = sql.personal_data
    assert data.forget_customer(tenant, "C1") == {
        "customers": 1, "orders": 0, "events": 0, "tickets": 0, "conversations": 1,
        "messages": 1, "drafts": 1, "feedback": 0}
    assert sql.customers.get_customer(tenant, "C1") is None
    assert sql.customers.get_customer(other_tenant, "C1") is not None
    with pytest.raises(CustomerNotFound):
        data.forget_customer(tenant, "C1")

    nothing_old = {"conversations": 0, "messages": 0, "drafts": 0, "feedback": 0}
    assert data.purge(other_tenant, now() - timedelta(days=1)) == nothing_old
    engine = make_engine(database_url)
    with make_sessions(engine).begin() as session:
        session.execute(update(Draft).where(Draft.tenant == other_tenant)
                        .values(created_at=now() - timedelta(days=400)))
    engine.dispose()
    naive_cutoff = (now() - timedelta(days=1)).replace(tzinfo=None)  # taken as UTC
    assert data.purge(other_tenant, naive_cutoff) == {**nothing_old, "drafts": 1}
    assert len(sql.customers.customer_history(other_tenant, "C1").messages) == 1
