"""Agent assist: drafted replies and their feedback; customer profiles, events and history.

All of these need an agent (or admin) key: a widget key gets 403.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import AgentOrAbove
from cxrag.api.deps import AssistantDep, DraftsDep, SettingsDep, StoreDep
from cxrag.api.schemas import BoundedJson
from cxrag.api.schemas_reply import DraftReply
from cxrag.errors import CustomerNotFound, InvalidRequest
from cxrag.reply.drafts import Ticket, TicketMessage

router = APIRouter(prefix="/v1", tags=["agent assist"])


class TicketMessageIn(BaseModel):
    author: Literal["customer", "agent"] = "customer"
    text: str = Field(..., min_length=1, max_length=20_000)


class TicketIn(BaseModel):
    subject: str = Field(..., min_length=1, max_length=500)
    messages: list[TicketMessageIn] = Field(..., min_length=1, max_length=50)
    customer_id: str | None = Field(None, max_length=64)
    channel: Literal["web", "email", "whatsapp", "phone", "agent"] = "email"


class DraftRequest(BaseModel):
    """A ticket to draft a reply for."""

    ticket: TicketIn
    collection: str | None = None
    prompt_version: str | None = Field(None, max_length=32)


class FeedbackIn(BaseModel):
    """The agent's verdict on a draft (or a customer's on a chat reply)."""

    accepted: bool | None = None
    edited_text: str | None = Field(None, max_length=20_000)
    rating: int | None = Field(None, ge=1, le=5)
    comment: str | None = Field(None, max_length=2000)


class CustomerIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    email: str | None = Field(None, max_length=200)
    locale: str | None = Field(None, max_length=16, examples=["es-MX"])
    tier: str | None = Field(None, max_length=32, examples=["gold"])
    attributes: BoundedJson = Field(default_factory=dict)


class EventIn(BaseModel):
    kind: str = Field(..., min_length=1, max_length=64, examples=["order_delayed"])
    data: BoundedJson = Field(default_factory=dict)


def _plain(value: Any) -> Any:
    """Dataclass records to JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    return value


@router.post("/drafts", response_model=DraftReply)
async def create_draft(body: DraftRequest, _: AgentOrAbove, settings: SettingsDep,
                       assistant: AssistantDep, drafts: DraftsDep) -> dict[str, Any]:
    """Draft a reply to a ticket: grounded text with sources, a summary of the customer's
    situation, suggested next steps and a confidence (share of supported sentences)."""
    responder = await run_in_threadpool(assistant.responder, body.collection)
    t = body.ticket
    ticket = Ticket(t.subject, [TicketMessage(m.author, m.text) for m in t.messages],
                    t.customer_id, t.channel, body.prompt_version)
    result: dict[str, Any] = await run_in_threadpool(drafts.draft, settings.tenant,
                                                     responder, ticket)
    return result


@router.post("/drafts/{draft_id}/feedback")
async def draft_feedback(draft_id: str, body: FeedbackIn, _: AgentOrAbove,
                         settings: SettingsDep, store: StoreDep) -> dict[str, Any]:
    """Record whether the agent used the draft (as is, or edited), a 1-5 rating, a comment."""
    if body.accepted is None and body.edited_text is None and body.rating is None:
        raise InvalidRequest("send at least one of accepted, edited_text, rating")
    record = await run_in_threadpool(
        lambda: store.add_feedback(settings.tenant, "draft", draft_id, accepted=body.accepted,
                                   edited_text=body.edited_text, rating=body.rating,
                                   comment=body.comment))
    return {"feedback_id": record.id}


@router.get("/feedback/export")
async def export_feedback(_: AgentOrAbove,
                          settings: SettingsDep, store: StoreDep) -> list[dict[str, Any]]:
    """Every feedback record of the tenant with what it refers to (JSON)."""
    rows: list[dict[str, Any]] = await run_in_threadpool(store.export_feedback, settings.tenant)
    return rows


@router.put("/customers/{customer_id}")
async def put_customer(customer_id: str, body: CustomerIn, _: AgentOrAbove,
                       settings: SettingsDep, store: StoreDep) -> dict[str, Any]:
    """Create or replace a customer profile (from the CRM)."""
    record = await run_in_threadpool(
        lambda: store.upsert_customer(settings.tenant, customer_id, name=body.name,
                                      email=body.email, locale=body.locale, tier=body.tier,
                                      attributes=body.attributes))
    return dict(_plain(record))


@router.post("/customers/{customer_id}/events")
async def add_event(customer_id: str, body: EventIn, _: AgentOrAbove,
                    settings: SettingsDep, store: StoreDep) -> dict[str, Any]:
    """Record something that happened to a customer (an order delayed, a refund issued...)."""
    record = await run_in_threadpool(store.add_event, settings.tenant, customer_id, body.kind,
                                     body.data)
    return dict(_plain(record))


@router.get("/customers/{customer_id}/history")
async def history(customer_id: str, _: AgentOrAbove,
                  settings: SettingsDep, store: StoreDep) -> dict[str, Any]:
    """Profile, recent orders, tickets, events, conversations and messages of a customer."""
    result = await run_in_threadpool(store.customer_history, settings.tenant, customer_id)
    if result.customer is None:
        raise CustomerNotFound(f"no customer {customer_id!r}")
    return dict(_plain(result))
