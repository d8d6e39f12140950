"""Cards, IBANs and ids are never stored; exports mask everything; deletion and retention."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from cxrag.store import CustomerNotFound, HistoryStore, TicketRecord
from cxrag.store.models import Conversation, Draft, Message
from cxrag.store.types import now

SAYS = "Soy ana@example.es, tel 612 34 56 78; tarjeta 4111 1111 1111 1111, " \
       "IBAN ES91 2100 0418 4502 0005 1332, DNI 12345678Z"
CLEAR = ("4111 1111 1111 1111", "ES91 2100", "12345678Z")


def _stored_texts(store: HistoryStore, tenant: str) -> str:
    with store._sessions.begin() as session:
        messages = session.scalars(select(Message).where(Message.tenant == tenant)).all()
        drafts = session.scalars(select(Draft).where(Draft.tenant == tenant)).all()
        return repr([(m.text, m.meta) for m in messages] + [(d.text, d.ticket) for d in drafts])


def test_sensitive_data_is_never_stored_contact_data_is(store: HistoryStore,
                                                        tenant: str) -> None:
    conv = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    said = store.add_message(tenant, conv.id, customer_id="C1", role="user", channel="web",
                             text=SAYS)
    store.hand_off(tenant, conv.id, customer_id="C1", channel="web", text="to a person",
                   meta={"handoff": {"summary": SAYS, "queue": "billing"}})
    draft = store.save_draft(tenant, ticket={"customer_id": "C1", "messages": [{"text": SAYS}]},
                             text=f"Re: {SAYS}")
    store.add_feedback(tenant, "draft", draft.id, edited_text=SAYS, comment=SAYS)
    stored = _stored_texts(store, tenant) + repr(store.export_feedback(tenant))
    assert not any(clear in stored for clear in CLEAR)
    assert "[card ••••1111]" in said.text and "[iban]" in said.text and "[id]" in said.text
    assert "ana@example.es" in said.text and "612 34 56 78" in said.text  # for the agent
    history = store.customer_history(tenant, "C1")
    assert "ana@example.es" in history.messages[0].text


def test_the_feedback_export_masks_all_personal_data(store: HistoryStore, tenant: str) -> None:
    conv = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    store.add_message(tenant, conv.id, customer_id="C1", role="user", channel="web", text=SAYS)
    answer = store.add_message(tenant, conv.id, customer_id="C1", role="assistant",
                               channel="web", text="Te escribimos a ana@example.es",
                               meta={"note": "call +34 612 34 56 78"})
    store.rate_message(tenant, conv.id, answer.id, customer_id="C1", rating=2,
                       comment="llamadme al 612345678")
    [row] = store.export_feedback(tenant)
    # timestamps out first: their microseconds ("16:55:18.856125") may hold the digits "612"
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.+]+", "<time>", repr(row))
    assert "<time>" in text  # the export does carry its times
    assert "ana@example.es" not in text and "612" not in text
    assert row["comment"] == "llamadme al [phone]"
    assert row["target"]["text"] == "Te escribimos a [email]"
    assert row["target"]["meta"] == {"note": "call [phone]"}
    assert row["target"]["question"].startswith("Soy [email], tel [phone]")


def _customer_everywhere(store: HistoryStore, tenant: str, customer_id: str) -> None:
    store.upsert_customer(tenant, customer_id, name="Ana", email="ana@example.es")
    store.upsert_order(tenant, customer_id, f"{customer_id}-O1", status="shipped")
    store.add_event(tenant, customer_id, "login")
    store.record_ticket(tenant, _ticket(f"{tenant}-{customer_id}", customer_id))
    conv = store.start_or_continue_conversation(tenant, customer_id=customer_id, channel="web")
    store.add_message(tenant, conv.id, customer_id=customer_id, role="user", channel="web",
                      text="hola")
    answer = store.add_message(tenant, conv.id, customer_id=customer_id, role="assistant",
                               channel="web", text="hola, ¿en qué te ayudo?")
    store.rate_message(tenant, conv.id, answer.id, customer_id=customer_id, rating=5)
    draft = store.save_draft(tenant, ticket={"customer_id": customer_id}, text="Hola")
    store.add_feedback(tenant, "draft", draft.id, accepted=True)


def _ticket(ticket_id: str, customer_id: str) -> TicketRecord:
    return TicketRecord(id=ticket_id, customer_id=customer_id, channel="email",
                        subject="Refund", status="open")


def test_forget_deletes_one_customer_and_nothing_else(store: HistoryStore, tenant: str,
                                                      other_tenant: str) -> None:
    for t, c in ((tenant, "C1"), (tenant, "C2"), (other_tenant, "C1")):
        _customer_everywhere(store, t, c)
    counts = store.forget_customer(tenant, "C1")
    assert counts == {"customers": 1, "orders": 1, "events": 1, "tickets": 1,
                      "conversations": 1, "messages": 2, "drafts": 1, "feedback": 2}
    gone = store.customer_history(tenant, "C1")
    assert gone.customer is None and not (gone.orders or gone.tickets or gone.events
                                          or gone.conversations or gone.messages)
    for t, c in ((tenant, "C2"), (other_tenant, "C1")):
        kept = store.customer_history(t, c)
        assert kept.customer is not None and len(kept.messages) == 2
        assert kept.orders and kept.tickets and kept.events
    assert len(store.export_feedback(tenant)) == 2  # C2's two verdicts
    assert len(store.export_feedback(other_tenant)) == 2
    with pytest.raises(CustomerNotFound):
        store.forget_customer(tenant, "C1")


def test_purge_deletes_what_is_older_than_the_cutoff(store: HistoryStore, tenant: str,
                                                     other_tenant: str) -> None:
    for t in (tenant, other_tenant):
        _customer_everywhere(store, t, "C1")
    old_conv = store.start_or_continue_conversation(tenant, visitor_id="v1", channel="web")
    store.add_message(tenant, old_conv.id, visitor_id="v1", role="user", channel="web",
                      text="hola")
    old_draft = store.save_draft(tenant, ticket={}, text="old")
    store.add_feedback(tenant, "draft", old_draft.id, accepted=False)
    long_ago = now() - timedelta(days=400)
    with store._sessions.begin() as session:
        session.execute(update(Conversation).where(Conversation.id == old_conv.id)
                        .values(updated_at=long_ago))
        session.execute(update(Draft).where(Draft.id == old_draft.id)
                        .values(created_at=long_ago))
    counts = store.purge(tenant, now() - timedelta(days=30))
    assert counts == {"conversations": 1, "messages": 1, "drafts": 1, "feedback": 1}
    assert store.purge(tenant, now() - timedelta(days=30)) == {
        "conversations": 0, "messages": 0, "drafts": 0, "feedback": 0}
    assert len(store.customer_history(tenant, "C1").messages) == 2  # recent ones stay
    assert len(store.export_feedback(tenant)) == 2
    everything = store.purge(other_tenant, now() + timedelta(seconds=1))
    assert everything == {"conversations": 1, "messages": 2, "drafts": 1, "feedback": 2}
    assert store.customer_history(other_tenant, "C1").customer is not None  # profiles stay
