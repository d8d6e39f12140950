"""Drafted replies for support agents: grounded text, sources, the customer's situation,
suggested next steps and a confidence, stored so the agent's feedback can refer to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cxrag.cx.triage import Analysis, Signals
from cxrag.errors import LLMError
from cxrag.reply.chat import facts
from cxrag.reply.models import ReplyRequest
from cxrag.reply.service import LANGUAGE_NAMES, Responder
from cxrag.store import HistoryStore


@dataclass(frozen=True)
class TicketMessage:
    """One message of the ticket thread."""

    author: str  # "customer" or "agent"
    text: str


@dataclass(frozen=True)
class Ticket:
    """The ticket an agent wants a reply for."""

    subject: str
    messages: list[TicketMessage]
    customer_id: str | None = None
    channel: str = "email"
    prompt_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class DraftService:
    """Drafts replies with a collection's Responder and records them in the store."""

    def __init__(self, store: HistoryStore, recent_days: int = 30) -> None:
        self.store, self.recent_days = store, recent_days

    def draft(self, tenant: str, responder: Responder, ticket: Ticket) -> dict[str, Any]:
        """The draft, as the API returns it."""
        customer_text = " ".join(m.text for m in ticket.messages if m.author == "customer")
        question = f"{ticket.subject}. {customer_text}".strip()[:2000]
        history = (self.store.customer_history(tenant, ticket.customer_id, limit_orders=3,
                                               limit_tickets=3)
                   if ticket.customer_id else None)
        lines = facts(history) if history else []
        customer = history.customer if history else None
        # The Responder's own pipeline (language, search, packing, the guard) with the draft
        # prompt; the customer's facts are in the prompt, not support for the guard.
        prepared = responder.prepare(
            ReplyRequest(question, prompt_version=ticket.prompt_version), condense=False,
            prompt="draft", variables={
                "subject": ticket.subject,
                "messages": [{"author": m.author, "text": m.text} for m in ticket.messages],
                "customer": None if customer is None else {
                    "name": customer.name, "tier": customer.tier, "facts": lines}})
        language, version, passages = prepared.language, prepared.version, prepared.passages
        try:
            text, verdict = responder.complete(prepared)
            draft_text, citations = verdict.answer or text, verdict.citations
            confidence = round(verdict.supported / verdict.factual, 2) if verdict.factual else 0.0
            off_topic = verdict.reason == "off_topic"
        except LLMError as exc:
            draft_text, citations, confidence, off_topic = "", [], 0.0, False
            lines = [*lines, f"model unavailable: {exc.code}"]
        summary = responder.prompts.texts(version).summary(
            "customer", name=customer.name if customer else None,
            tier=customer.tier if customer else None, subject=ticket.subject, recent=lines,
            contacts=sum(1 for m in ticket.messages if m.author == "customer"))
        analysis = self._triage(tenant, responder, question, ticket,
                                customer.tier if customer else None, language)
        actions = _actions(confidence, passages != [], lines, language, off_topic)
        if analysis is not None and analysis.escalate:
            actions.insert(0, f"Escalate to {analysis.queue} ({analysis.priority} priority): "
                              f"{(analysis.reason or '').replace('_', ' ')}.")
        cited = [{"document_id": c.document_id, "title": c.title, "source": c.source,
                  "quote": c.quote} for c in citations]
        record = self.store.save_draft(tenant, ticket={"subject": ticket.subject, "messages": [
            {"author": m.author, "text": m.text} for m in ticket.messages],
            "customer_id": ticket.customer_id, "channel": ticket.channel},
            text=draft_text, citations=cited, prompt_version=version, model=responder.model_name)
        return {"draft_id": record.id, "draft": draft_text, "citations": cited,
                "customer_summary": summary, "suggested_actions": actions,
                "confidence": confidence, "language": language, "prompt_version": version,
                "model": responder.model_name,
                "triage": analysis.as_dict() if analysis is not None else None}

    def _triage(self, tenant: str, responder: Responder, text: str, ticket: Ticket,
                tier: str | None, language: str) -> Analysis | None:
        """Category, priority, sentiment, frustration, the escalation decision and queue."""
        if responder.triage is None:
            return None
        contacts = 0
        if ticket.customer_id:
            contacts = self.store.contact_count(tenant, ticket.customer_id, self.recent_days)
        return responder.triage.analyse(text, Signals(tier=tier, recent_contacts=contacts,
                                                      language=language))


def _actions(confidence: float, found: bool, lines: list[str], language: str,
             off_topic: bool = False) -> list[str]:
    out = []
    if not found or confidence < 0.6:
        out.append("Check the policy by hand: the knowledge base does not clearly cover this.")
    elif off_topic:  # supported by the articles, but about something else than the ticket
        out.append("Check that the draft answers the ticket: the cited articles may be about "
                   "something else.")
    else:
        out.append("Review the cited articles and send the draft.")
    if any(line.startswith("Order ") for line in lines):
        out.append("Confirm the order status in the order system before replying.")
    if language not in LANGUAGE_NAMES:
        out.append("The language of the ticket could not be detected; check it.")
    return out
