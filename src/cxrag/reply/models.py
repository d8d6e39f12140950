"""What a reply is made of: the request, the customer, the request ready for the model, the
handoff, the reply itself, and the reply as the API returns it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cxrag.compose.context import Passage
from cxrag.cx.triage import Analysis
from cxrag.embed.base import Vectors
from cxrag.guard.grounding import Citation, Grounding
from cxrag.index.catalog import Filters
from cxrag.privacy import redact
from cxrag.reply.account import OrderFact


@dataclass(frozen=True)
class Turn:
    """One earlier message of the conversation."""

    role: str  # "customer", "assistant", "agent"
    text: str


@dataclass(frozen=True)
class CustomerContext:
    """What the reply may use about the authenticated customer (never anyone else's)."""

    id: str
    name: str
    tier: str | None = None
    locale: str | None = None
    facts: tuple[str, ...] = ()  # e.g. "Order T-1042: shipped 2026-11-20"
    recent_contacts: int = 0  # other tickets/conversations lately (a frustration signal)
    orders: tuple[OrderFact, ...] = ()  # latest first: what a personalised answer states
    country: str | None = None  # ISO code of the customer's market ("ES"): its sections first


@dataclass(frozen=True)
class Handoff:
    """Why a person takes over, which queue, and what they need to know."""

    reason: str
    queue: str
    summary: str
    priority: str | None = None
    triage: dict[str, Any] | None = None  # the analysis the decision came from

    def __post_init__(self) -> None:
        # Summaries are read in agent tools and queues: no card, IBAN, id, email or phone.
        object.__setattr__(self, "summary", redact(self.summary))


@dataclass
class Reply:
    """The outcome of one message."""

    answer: str
    citations: list[Citation]
    grounded: bool
    handoff: Handoff | None
    language: str
    prompt_version: str
    model: str
    usage: dict[str, int] = field(default_factory=dict)
    latency_ms: float = 0.0
    question: str = ""  # the standalone question that was searched
    passages: list[Passage] = field(default_factory=list)  # what the prompt was given
    analysis: Analysis | None = None  # triage of the message (category, mood, decision)
    # how it came about (``reply()`` only): retrieved_ids, model_text, guard; see ``trace``
    trace: dict[str, Any] = field(default_factory=dict)
    # generated | extractive (the passages' own sentences) | account (the customer's order,
    # from the store) | handoff | escalated | fallback
    rung: str = "generated"


@dataclass(frozen=True)
class ReplyRequest:
    """Everything one reply depends on."""

    message: str
    history: Sequence[Turn] = ()
    customer: CustomerContext | None = None
    locale: str | None = None
    prompt_version: str | None = None
    filters: Filters | None = None


@dataclass(frozen=True)
class Prepared:
    """A request ready for the model (what ``prepare`` returns)."""

    request: ReplyRequest
    language: str
    version: str
    question: str
    passages: list[Passage]
    messages: list[dict[str, str]]
    question_vector: Vectors | None = None
    analysis: Analysis | None = None
    retrieved_ids: tuple[str, ...] = ()  # the hits' documents before packing, in rank order
    nothing_found: bool = False  # retrieval's relevance below the threshold: no model call
    period: Passage | None = None  # the policy lines a period question was sent (account.py)


def trace(prepared: Prepared, text: str | None, verdict: Grounding | None) -> dict[str, Any]:
    """How a reply came about (what the eval funnel reads): the documents retrieved, the
    model's raw text (None when the model was not asked) and the guard's verdict."""
    guard = None if verdict is None else {
        "reason": verdict.reason, "unsupported": list(verdict.unsupported),
        "reasons": list(verdict.reasons),
        "unsafe": [list(pair) for pair in verdict.unsafe],
        "relevance": None if verdict.relevance is None else round(verdict.relevance, 4)}
    return {"retrieved_ids": list(prepared.retrieved_ids), "model_text": text, "guard": guard}


def as_dict(reply: Reply) -> dict[str, Any]:
    """The Reply as the API returns it."""
    return {
        "answer": reply.answer,
        "citations": [{"number": c.number, "document_id": c.document_id, "title": c.title,
                       "source": c.source, "quote": c.quote} for c in reply.citations],
        "grounded": reply.grounded,
        "rung": reply.rung,
        "handoff": None if reply.handoff is None else {
            "reason": reply.handoff.reason, "queue": reply.handoff.queue,
            "summary": reply.handoff.summary, "priority": reply.handoff.priority,
            "triage": reply.handoff.triage},
        "escalation": None if reply.analysis is None else {
            "escalate": reply.handoff is not None, "reason": reply.handoff.reason
            if reply.handoff else None, "queue": reply.analysis.queue,
            "priority": reply.analysis.priority},
        "language": reply.language,
        "prompt_version": reply.prompt_version,
        "model": reply.model,
        "usage": reply.usage,
        "latency_ms": reply.latency_ms,
    }


def customer_variables(customer: CustomerContext | None) -> dict[str, Any] | None:
    """What the answer prompt shows of the customer."""
    if customer is None:
        return None
    return {"name": customer.name, "tier": customer.tier, "facts": list(customer.facts)}


def earlier_turns(req: ReplyRequest) -> list[str]:
    """The customer's earlier messages: their words join a follow-up's lexical search."""
    return [t.text for t in req.history if t.role == "customer"]
