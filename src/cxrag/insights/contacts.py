"""Tickets and conversations as one kind of record: a customer contact.

A conversation's language is the one its assistant replies were written in (or, without
replies, detected from what the customer wrote); it is handed off when a reply or a system turn
carries a handoff, or its status says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from cxrag.insights.analyzer import UNCATEGORISED, MessageAnalyzer
from cxrag.language import UNKNOWN, detect_language
from cxrag.store.analytics import Activity, Thread
from cxrag.store.records import MessageRecord, TicketRecord

Source = Literal["ticket", "conversation"]


@dataclass(frozen=True)
class Contact:
    """One ticket or conversation, with what the customer wrote."""

    source: Source
    ref: str
    customer_id: str | None
    at: datetime
    channel: str
    category: str
    language: str
    text: str
    csat: int | None = None
    handed_off: bool = False
    waiting: bool = False  # a conversation still waiting for a person
    frustration: float | None = None


def handoff_of(message: MessageRecord) -> dict[str, Any] | None:
    """The handoff a turn carries (reason, queue, summary), or None."""
    handoff = message.meta.get("handoff")
    return handoff if isinstance(handoff, dict) else None


def handoff_reason(thread: Thread) -> str | None:
    """Why a conversation went to a person (its first handoff), or None if it did not."""
    for message in thread.messages:
        handoff = handoff_of(message)
        if handoff is not None:
            return str(handoff.get("reason") or "unspecified")
    return "unspecified" if thread.conversation.status == "handoff" else None


def user_text(thread: Thread) -> str:
    """What the customer wrote in a conversation."""
    return "\n".join(m.text for m in thread.messages if m.role == "user")


def ticket_text(ticket: TicketRecord) -> str:
    """What the customer wrote in a ticket: the subject, then their messages."""
    return "\n".join(t for t in (ticket.subject, ticket.customer_text or "") if t)


def _thread_language(thread: Thread, languages: Sequence[str]) -> str:
    for message in thread.messages:
        if message.role == "assistant" and message.meta.get("language"):
            return str(message.meta["language"])
    text = user_text(thread)
    return detect_language(text, languages) if text.strip() else UNKNOWN


def _ticket(ticket: TicketRecord, languages: Sequence[str]) -> Contact:
    text = ticket_text(ticket)
    language = ticket.language or (detect_language(text, languages) if text else UNKNOWN)
    assert ticket.created_at is not None  # stored tickets always have one
    return Contact("ticket", ticket.id, ticket.customer_id, ticket.created_at,
                   ticket.channel or "unknown", ticket.category or UNCATEGORISED, language,
                   text, ticket.csat)


def _conversation(thread: Thread, languages: Sequence[str]) -> Contact:
    conv = thread.conversation
    return Contact("conversation", conv.id, conv.customer_id, conv.started_at, conv.channel,
                   UNCATEGORISED, _thread_language(thread, languages), user_text(thread),
                   handed_off=handoff_reason(thread) is not None,
                   waiting=conv.status == "handoff")


def contacts_of(activity: Activity, analyzer: MessageAnalyzer | None,
                languages: Sequence[str] = ("es", "en")) -> list[Contact]:
    """Every ticket and conversation (with a customer message) as a Contact, oldest first;
    the analyzer, when given, categorises what has no category and scores frustration."""
    contacts = [_ticket(t, languages) for t in activity.tickets]
    contacts += [_conversation(th, languages) for th in activity.threads
                 if any(m.role == "user" for m in th.messages)]
    contacts.sort(key=lambda c: (c.at, c.ref))
    if analyzer is None or not contacts:
        return contacts
    return _analysed(contacts, analyzer)


def _analysed(contacts: list[Contact], analyzer: MessageAnalyzer) -> list[Contact]:
    todo = [i for i, c in enumerate(contacts) if c.category == UNCATEGORISED]
    categories = dict(zip(todo, analyzer.categorize([contacts[i].text for i in todo]),
                          strict=True)) if todo else {}
    scores = analyzer.frustration([c.text for c in contacts])
    return [replace(c, category=categories.get(i) or c.category, frustration=float(score))
            for i, (c, score) in enumerate(zip(contacts, scores, strict=True))]
