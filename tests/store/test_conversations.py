"""Conversations continue across channels for their owner and refuse everyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxrag.errors import InvalidRequest
from cxrag.store import ConversationForbidden, ConversationNotFound, HistoryStore


def test_a_conversation_continues_across_channels(store: HistoryStore, tenant: str) -> None:
    web = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    store.add_message(tenant, web.id, customer_id="C1", role="user", channel="web",
                      text="¿Dónde está mi pedido?")
    store.add_message(tenant, web.id, customer_id="C1", role="assistant", channel="web",
                      text="Está en reparto [1].", meta={"citations": ["faq/envios"]})

    whatsapp = store.start_or_continue_conversation(tenant, customer_id="C1",
                                                    channel="whatsapp")
    assert whatsapp.id == web.id and whatsapp.channel == "whatsapp"
    assert whatsapp.started_at == web.started_at and whatsapp.updated_at >= web.updated_at
    store.add_message(tenant, whatsapp.id, customer_id="C1", role="user", channel="whatsapp",
                      text="Gracias")

    named = store.start_or_continue_conversation(tenant, web.id, customer_id="C1",
                                                 channel="email")
    assert named.id == web.id and named.channel == "email"

    turns = store.recent_messages(tenant, web.id, customer_id="C1")
    assert [(m.role, m.channel, m.text) for m in turns] == [
        ("user", "web", "¿Dónde está mi pedido?"),
        ("assistant", "web", "Está en reparto [1]."),
        ("user", "whatsapp", "Gracias"),
    ]
    assert turns[1].meta == {"citations": ["faq/envios"]}
    assert [m.text for m in store.recent_messages(tenant, web.id, customer_id="C1", limit=1)] == [
        "Gracias"]


def test_another_customers_conversation_is_refused(store: HistoryStore, tenant: str) -> None:
    mine = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    store.add_message(tenant, mine.id, customer_id="C1", role="user", channel="web",
                      text="private")

    with pytest.raises(ConversationForbidden) as refused:
        store.start_or_continue_conversation(tenant, mine.id, customer_id="C2", channel="web")
    assert refused.value.status == 403 and refused.value.code == "conversation_forbidden"
    with pytest.raises(ConversationForbidden):
        store.add_message(tenant, mine.id, customer_id="C2", role="user", channel="web",
                          text="let me in")
    with pytest.raises(ConversationForbidden):
        store.recent_messages(tenant, mine.id, customer_id="C2")
    with pytest.raises(ConversationForbidden):
        store.recent_messages(tenant, mine.id, visitor_id="v-anyone")

    theirs = store.start_or_continue_conversation(tenant, customer_id="C2", channel="web")
    assert theirs.id != mine.id
    assert [m.text for m in store.recent_messages(tenant, mine.id, customer_id="C1")] == [
        "private"]


def test_a_conversation_of_another_tenant_does_not_exist(
    store: HistoryStore, tenant: str, other_tenant: str
) -> None:
    conv = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    with pytest.raises(ConversationNotFound):
        store.start_or_continue_conversation(other_tenant, conv.id, customer_id="C1",
                                             channel="web")
    with pytest.raises(ConversationNotFound):
        store.recent_messages(other_tenant, conv.id, customer_id="C1")
    elsewhere = store.start_or_continue_conversation(other_tenant, customer_id="C1",
                                                     channel="web")
    assert elsewhere.id != conv.id


def test_a_visitor_conversation_passes_to_the_customer_who_signs_in(
    store: HistoryStore, tenant: str
) -> None:
    anon = store.start_or_continue_conversation(tenant, visitor_id="v-1", channel="web")
    assert anon.customer_id is None
    with pytest.raises(ConversationForbidden):
        store.add_message(tenant, anon.id, visitor_id="v-2", role="user", channel="web",
                          text="hi")

    signed_in = store.start_or_continue_conversation(tenant, customer_id="C1",
                                                     visitor_id="v-1", channel="web")
    assert (signed_in.id, signed_in.customer_id) == (anon.id, "C1")
    with pytest.raises(ConversationForbidden):  # now the customer's alone
        store.recent_messages(tenant, anon.id, visitor_id="v-1")
    assert store.start_or_continue_conversation(
        tenant, customer_id="C1", channel="phone").id == anon.id


def test_an_idle_conversation_is_not_continued(database_url: str, tenant: str) -> None:
    store = HistoryStore.from_url(database_url, continue_within=timedelta(0))
    first = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    again = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    assert again.id != first.id
    # naming it still continues it
    assert store.start_or_continue_conversation(
        tenant, first.id, customer_id="C1", channel="email").id == first.id
    store.close()


def test_bad_input_is_refused(store: HistoryStore, tenant: str) -> None:
    with pytest.raises(InvalidRequest, match="customer_id or a visitor_id"):
        store.start_or_continue_conversation(tenant, channel="web")
    with pytest.raises(InvalidRequest, match="channel"):
        store.start_or_continue_conversation(tenant, customer_id="C1",
                                             channel="fax")  # type: ignore[arg-type]
    conv = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    with pytest.raises(InvalidRequest, match="role"):
        store.add_message(tenant, conv.id, customer_id="C1", role="robot",  # type: ignore[arg-type]
                          channel="web", text="x")
    with pytest.raises(ConversationNotFound):
        store.add_message(tenant, "no-such-id", customer_id="C1", role="user", channel="web",
                          text="x")


def test_begin_turn_returns_the_earlier_turns_and_stores_the_message(
        store: HistoryStore, tenant: str) -> None:
    conv, earlier = store.begin_turn(tenant, customer_id="C1", channel="web", text="Hola")
    assert earlier == []
    store.add_message(tenant, conv.id, customer_id="C1", role="assistant", channel="web",
                      text="¡Hola! ¿En qué te ayudo?")
    again, earlier = store.begin_turn(tenant, customer_id="C1", channel="email",
                                      text="Mi pedido", history=8)
    assert again.id == conv.id and again.channel == "email"
    assert [(m.role, m.text) for m in earlier] == [("user", "Hola"),
                                                   ("assistant", "¡Hola! ¿En qué te ayudo?")]
    stored = store.recent_messages(tenant, conv.id, customer_id="C1")
    assert [(m.channel, m.text) for m in stored][-1] == ("email", "Mi pedido")
    with pytest.raises(ConversationForbidden):
        store.begin_turn(tenant, conv.id, customer_id="C2", channel="web", text="spy")
    assert len(store.recent_messages(tenant, conv.id, customer_id="C1")) == 3
