"""Response models of the reply endpoints: a chat reply and an agent's draft.

They describe the JSON the reply side builds (``reply.models.as_dict``, ``ChatService``,
``DraftService``) field for field and in the same order. A customer (widget key) sees less of a
chat reply (see ``reply.chat.customer_view``): the fields it does not get are left out of the
body, not sent as null, which is why the chat route serialises with ``exclude_unset``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ReplyCitation(BaseModel):
    """A passage the answer cites as ``[number]``."""

    number: int = Field(..., description="the [n] mark in the answer")
    document_id: str
    title: str
    source: str = Field(..., description="for a widget key, only a web address (else empty)")
    quote: str


class ReplyHandoff(BaseModel):
    """Why a person takes over and where the case goes."""

    reason: str = Field(..., examples=["no_answer"])
    queue: str = Field(..., examples=["support-es"])
    summary: str | None = Field(None, description="for agent and admin keys only")
    priority: str | None = Field(None, description="for agent and admin keys only")
    triage: dict[str, Any] | None = Field(
        None, description="what triage found (agent and admin keys only)")


class ReplyEscalation(BaseModel):
    """The escalation decision (present when the message was triaged)."""

    escalate: bool
    reason: str | None
    queue: str | None = Field(None, description="for agent and admin keys only")
    priority: str | None = Field(None, description="for agent and admin keys only")


class ChatReply(BaseModel):
    """The assistant's reply to one message, as stored in the conversation."""

    conversation_id: str
    message_id: int = Field(..., description="the stored reply (to rate it)")
    answer: str
    citations: list[ReplyCitation]
    grounded: bool
    rung: str = Field(..., description="how the reply came about: generated, extractive, "
                      "account, handoff, escalated or fallback")
    handoff: ReplyHandoff | None
    escalation: ReplyEscalation | None
    language: str
    prompt_version: str
    model: str
    usage: dict[str, int]
    latency_ms: float


class DraftCitation(BaseModel):
    """A source of a drafted reply."""

    document_id: str
    title: str
    source: str
    quote: str


class DraftReply(BaseModel):
    """A drafted reply to a ticket, stored so the agent's feedback can refer to it."""

    draft_id: str
    draft: str = Field(..., description="empty when the model was unavailable")
    citations: list[DraftCitation]
    customer_summary: str
    suggested_actions: list[str]
    confidence: float = Field(..., description="share of the draft's factual sentences the "
                              "passages support")
    language: str
    prompt_version: str
    model: str
    triage: dict[str, Any] | None
