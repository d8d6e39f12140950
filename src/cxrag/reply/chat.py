"""A chat turn: the conversation and customer from the history store around a Responder.

The customer's own profile, recent orders and tickets personalise the reply; nothing of any
other customer is ever read (the store filters every query by tenant and owner). Both turns are
stored with the channel they came on, so a conversation continues from web to WhatsApp to email.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cxrag.index.catalog import Filters
from cxrag.reply.service import CustomerContext, Reply, ReplyRequest, Responder, Turn, as_dict
from cxrag.store import HistoryStore
from cxrag.store.records import Channel, CustomerHistory

HISTORY_TURNS = 8


@dataclass(frozen=True)
class ChatTurn:
    """One incoming message and who sent it (identity already verified by the API)."""

    tenant: str
    message: str
    channel: Channel
    customer_id: str | None = None
    visitor_id: str | None = None
    conversation_id: str | None = None
    locale: str | None = None
    prompt_version: str | None = None
    filters: Filters | None = None


class ChatService:
    """Runs chat turns against one Responder and the history store."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    def _begin(self, turn: ChatTurn) -> tuple[str, ReplyRequest]:
        conv, earlier = self.store.begin_turn(
            turn.tenant, turn.conversation_id, channel=turn.channel,
            customer_id=turn.customer_id, visitor_id=turn.visitor_id, text=turn.message,
            history=HISTORY_TURNS)
        history = [Turn("customer" if m.role == "user" else m.role, m.text) for m in earlier]
        customer = self._customer(turn) if turn.customer_id else None
        return conv.id, ReplyRequest(turn.message, history, customer, turn.locale,
                                     turn.prompt_version, turn.filters)

    def reply(self, responder: Responder, turn: ChatTurn) -> dict[str, Any]:
        """The reply to ``turn`` as the API returns it."""
        conversation_id, request = self._begin(turn)
        reply = responder.reply(request)
        self._record(turn, conversation_id, reply)
        return {"conversation_id": conversation_id, **as_dict(reply)}

    def stream(self, responder: Responder, turn: ChatTurn) -> Iterator[str | dict[str, Any]]:
        """Token deltas, then the final reply payload."""
        conversation_id, request = self._begin(turn)
        for event in responder.stream(request):
            if isinstance(event, str):
                yield event
                continue
            self._record(turn, conversation_id, event)
            yield {"conversation_id": conversation_id, **as_dict(event)}

    def _record(self, turn: ChatTurn, conversation_id: str, reply: Reply) -> None:
        meta = {k: v for k, v in as_dict(reply).items() if k != "answer"}
        self.store.add_message(turn.tenant, conversation_id, role="assistant",
                               channel=turn.channel, text=reply.answer, meta=meta,
                               customer_id=turn.customer_id, visitor_id=turn.visitor_id)

    def _customer(self, turn: ChatTurn) -> CustomerContext | None:
        assert turn.customer_id is not None
        history = self.store.customer_history(turn.tenant, turn.customer_id, limit_orders=3,
                                              limit_tickets=2)
        if history.customer is None:
            return None
        c = history.customer
        return CustomerContext(c.id, c.name, c.tier, c.locale, tuple(facts(history)))


def facts(history: CustomerHistory) -> list[str]:
    """Short lines about a customer's recent orders and tickets, for the prompt."""
    out = []
    for o in history.orders:
        when = o.placed_at.date().isoformat() if o.placed_at else "date unknown"
        total = f", {o.total} {o.currency or ''}".rstrip() if o.total is not None else ""
        out.append(f"Order {o.id}: {o.status}, placed {when}{total}")
    for t in history.tickets:
        out.append(f"Ticket {t.id}: {t.subject} ({t.status})")
    return out
