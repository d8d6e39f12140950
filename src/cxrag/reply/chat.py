"""A chat turn: the conversation and customer from the history store around a Responder.

The customer's own profile, recent orders and tickets personalise the reply; nothing of any
other customer is ever read (the store filters every query by tenant and owner). Both turns are
stored with the channel they came on, so a conversation continues from web to WhatsApp to email.
The owner of a conversation (and only they) can also read it back, rate the assistant's replies
and ask for a person at any time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cxrag.compose.prompts import Texts
from cxrag.cx.triage import Triage
from cxrag.generate.control import CallControl
from cxrag.index.catalog import Filters
from cxrag.metrics import HANDOFFS
from cxrag.reply.account import OrderFact
from cxrag.reply.handoff import signals, summarised_handoff
from cxrag.reply.models import CustomerContext, Handoff, Reply, ReplyRequest, Turn, as_dict
from cxrag.reply.service import Responder
from cxrag.store import HistoryStore
from cxrag.store.records import Channel, CustomerHistory, MessageRecord

HISTORY_TURNS = 8
THUMBS = {"up": 5, "down": 1}  # stored on the 1-5 scale, so CSAT (share of 4-5) counts them
PUBLIC_META = ("citations", "grounded", "handoff", "language")  # what an owner reads back
INTERNAL_HANDOFF = ("summary", "triage", "priority")  # for agents, not for the customer


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


Responders = Callable[[str | None], Responder]
"""The Responder of a collection (None: the default one); ``Assistant.responder``."""


class ChatService:
    """Runs chat turns against a collection's Responder and the history store."""

    def __init__(self, store: HistoryStore, texts: Texts, recent_days: int = 30,
                 triage: Triage | None = None, responders: Responders | None = None) -> None:
        self.store, self.texts, self.recent_days, self.triage = store, texts, recent_days, triage
        self.responders = responders

    def responder(self, collection: str | None = None) -> Responder:
        """The Responder of ``collection`` (an unknown one raises ``CollectionNotFound``)."""
        if self.responders is None:
            raise RuntimeError("this ChatService was built without responders")
        return self.responders(collection)

    def answer(self, turn: ChatTurn, collection: str | None = None, *,
               control: CallControl | None = None) -> dict[str, Any]:
        """The one way into a reply: the collection's Responder answers ``turn`` with its
        conversation and customer, both turns are stored, and the payload comes back as the
        API returns it (``api.schemas_reply.ChatReply``)."""
        return self.reply(self.responder(collection), turn, control=control)

    def answer_stream(self, turn: ChatTurn, collection: str | None = None, *,
                      control: CallControl | None = None) -> Iterator[str | dict[str, Any]]:
        """``answer`` as a stream (see ``stream``). The Responder is resolved now, so an
        unknown collection fails before the first event."""
        return self.stream(self.responder(collection), turn, control=control)

    def _begin(self, turn: ChatTurn) -> tuple[str, ReplyRequest]:
        conv, earlier = self.store.begin_turn(
            turn.tenant, turn.conversation_id, channel=turn.channel,
            customer_id=turn.customer_id, visitor_id=turn.visitor_id, text=turn.message,
            history=HISTORY_TURNS)
        history = [Turn("customer" if m.role == "user" else m.role, m.text) for m in earlier
                   if m.role != "system"]
        customer = (customer_context(self.store, turn.tenant, turn.customer_id,
                                     recent_days=self.recent_days, conversation_id=conv.id)
                    if turn.customer_id else None)
        return conv.id, ReplyRequest(turn.message, history, customer, turn.locale,
                                     turn.prompt_version, turn.filters)

    def reply(self, responder: Responder, turn: ChatTurn, *,
              control: CallControl | None = None) -> dict[str, Any]:
        """The reply to ``turn`` as the API returns it (``control``: its deadline and
        cancellation)."""
        conversation_id, request = self._begin(turn)
        reply = responder.reply(request, control=control)
        return self._record(turn, conversation_id, reply)

    def stream(self, responder: Responder, turn: ChatTurn, *,
               control: CallControl | None = None) -> Iterator[str | dict[str, Any]]:
        """Checked sentences as they pass the guard, then the final reply payload."""
        conversation_id, request = self._begin(turn)
        for event in responder.stream(request, control=control):
            if isinstance(event, str):
                yield event
                continue
            yield self._record(turn, conversation_id, event)

    def _record(self, turn: ChatTurn, conversation_id: str, reply: Reply) -> dict[str, Any]:
        """Store the reply; the API payload, with the stored turn's id (to rate it)."""
        payload = as_dict(reply)
        meta = {k: v for k, v in payload.items() if k != "answer"}
        message = self.store.add_message(turn.tenant, conversation_id, role="assistant",
                                         channel=turn.channel, text=reply.answer, meta=meta,
                                         customer_id=turn.customer_id,
                                         visitor_id=turn.visitor_id)
        return {"conversation_id": conversation_id, "message_id": message.id, **payload}

    def conversation(self, tenant: str, conversation_id: str, *, customer_id: str | None,
                     visitor_id: str | None, limit: int = 50) -> dict[str, Any]:
        """The owner's conversation so far (to show it again after a page reload)."""
        conv, messages = self.store.conversation(tenant, conversation_id,
                                                 customer_id=customer_id,
                                                 visitor_id=visitor_id, limit=limit)
        return {"conversation_id": conv.id, "status": conv.status, "channel": conv.channel,
                "started_at": conv.started_at.isoformat(),
                "updated_at": conv.updated_at.isoformat(),
                "messages": [_public(m) for m in messages]}

    def rate(self, tenant: str, conversation_id: str, message_id: int, *,
             customer_id: str | None, visitor_id: str | None, thumb: str,
             comment: str | None = None) -> dict[str, Any]:
        """The owner's thumbs up or down (and comment) on one assistant reply."""
        record = self.store.rate_message(tenant, conversation_id, message_id,
                                         customer_id=customer_id, visitor_id=visitor_id,
                                         rating=THUMBS[thumb], comment=comment)
        return {"feedback_id": record.id, "conversation_id": conversation_id,
                "message_id": message_id, "rating": thumb, "comment": record.comment}

    def hand_off(self, tenant: str, conversation_id: str | None, *, customer_id: str | None,
                 visitor_id: str | None, channel: Channel = "web",
                 locale: str | None = None) -> dict[str, Any]:
        """Pass the owner's conversation (their open one, or a new one) to a person, with a
        summary built from the conversation and the customer's data."""
        conv = self.store.start_or_continue_conversation(
            tenant, conversation_id, customer_id=customer_id, visitor_id=visitor_id,
            channel=channel)
        earlier = self.store.recent_messages(tenant, conv.id, customer_id=customer_id,
                                             visitor_id=visitor_id, limit=HISTORY_TURNS)
        customer = None
        if customer_id:  # signed in, maybe without a profile yet
            customer = customer_context(self.store, tenant, customer_id,
                                        recent_days=self.recent_days,
                                        conversation_id=conv.id) or \
                CustomerContext(customer_id, f"customer {customer_id}")
        handoff = requested_handoff(self.texts, earlier, customer, locale, self.triage)
        HANDOFFS.labels(handoff.reason, "requested").inc()
        meta = {"handoff": {"reason": handoff.reason, "queue": handoff.queue,
                            "summary": handoff.summary, "priority": handoff.priority,
                            "triage": handoff.triage}}
        message = self.store.hand_off(tenant, conv.id, customer_id=customer_id,
                                      visitor_id=visitor_id, channel=channel,
                                      text=handoff.summary, meta=meta)
        return {"conversation_id": conv.id, "message_id": message.id, "status": "handoff",
                **meta["handoff"]}



def customer_context(store: HistoryStore, tenant: str, customer_id: str, *,
                     recent_days: int = 30, conversation_id: str | None = None
                     ) -> CustomerContext | None:
    """What a reply may know about one customer: profile, recent orders and tickets, and how
    often they got in touch lately (besides ``conversation_id``)."""
    history = store.customer_history(tenant, customer_id, limit_orders=3, limit_tickets=2)
    if history.customer is None:
        return None
    c = history.customer
    contacts = store.contact_count(tenant, customer_id, recent_days,
                                   exclude_conversation=conversation_id)
    country = c.attributes.get("country") or (c.locale or "").partition("-")[2] or None
    return CustomerContext(c.id, c.name, c.tier, c.locale, tuple(facts(history)), contacts,
                           tuple(order_facts(history)), str(country).upper() if country else None)


def order_facts(history: CustomerHistory) -> list[OrderFact]:
    """The customer's recent orders as a personalised answer may state them."""
    out = []
    for o in history.orders:
        names = tuple(str(i.get("name")) for i in o.items
                      if isinstance(i, dict) and i.get("name"))
        carrier = o.attributes.get("carrier")
        out.append(OrderFact(o.id, names, o.status,
                             o.placed_at.date().isoformat() if o.placed_at else None,
                             str(carrier) if carrier else None))
    return out


def facts(history: CustomerHistory) -> list[str]:
    """Short lines about a customer's recent orders and tickets, for the prompt."""
    out = []
    for o in history.orders:
        when = o.placed_at.date().isoformat() if o.placed_at else "date unknown"
        total = f", {o.total} {o.currency or ''}".rstrip() if o.total is not None else ""
        names = [str(i.get("name")) for i in o.items if isinstance(i, dict) and i.get("name")]
        what = f" ({', '.join(names[:3])})" if names else ""
        carrier = f", carrier {o.attributes['carrier']}" if o.attributes.get("carrier") else ""
        out.append(f"Order {o.id}{what}: {o.status}, placed {when}{total}{carrier}")
    for t in history.tickets:
        out.append(f"Ticket {t.id}: {t.subject} ({t.status})")
    return out


def requested_handoff(texts: Texts, messages: list[MessageRecord],
                      customer: CustomerContext | None, locale: str | None,
                      triage: Triage | None = None) -> Handoff:
    """The handoff a customer asked for, summarised so nobody asks them to repeat themselves;
    with a triage policy, routed by what they last wrote (category, tier, language)."""
    turns = [m for m in messages if m.role in {"user", "assistant", "agent"}]
    asked = [m.text for m in turns if m.role == "user"]
    language = Responder.detect(asked[-1] if asked else "", locale or
                                (customer.locale if customer else None))
    said = [f"{'customer' if m.role == 'user' else m.role}: {_clip(m.text)}"
            for m in turns[-6:]]
    analysis = None if triage is None or not asked else \
        triage.analyse(asked[-1], signals(customer, language))
    return summarised_handoff(texts, "requested", customer, language, None, turns=said,
                              analysis=analysis)


def _clip(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _public(message: MessageRecord) -> dict[str, Any]:
    """A stored turn as its owner sees it (no model, usage or timing details)."""
    return customer_view({"id": message.id, "role": message.role, "text": message.text,
                          "at": message.at.isoformat(),
                          **{k: message.meta[k] for k in PUBLIC_META if k in message.meta}})


def customer_view(payload: dict[str, Any]) -> dict[str, Any]:
    """A reply (or stored turn, or handoff) as a customer may see it: the handoff's reason and
    queue but not the agents' summary, triage or priority; the escalation decision without its
    routing; a citation's source only when it is a web address (never a server path)."""
    out = dict(payload)
    if isinstance(out.get("handoff"), dict):
        out["handoff"] = {k: v for k, v in out["handoff"].items() if k not in INTERNAL_HANDOFF}
    for key in INTERNAL_HANDOFF:
        out.pop(key, None)
    if isinstance(out.get("escalation"), dict):
        out["escalation"] = {k: out["escalation"].get(k) for k in ("escalate", "reason")}
    if isinstance(out.get("citations"), list):
        out["citations"] = [{**c, "source": public_source(str(c.get("source") or ""))}
                            for c in out["citations"] if isinstance(c, dict)]
    return out


def public_source(source: str) -> str:
    """``source`` if it is an http(s) address, else empty (files stay on the server)."""
    return source if source.lower().startswith(("https://", "http://")) else ""
