"""Chat with the assistant: one reply, or a stream of server-sent events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import Role, WidgetOrAbove, verify_customer
from cxrag.api.deps import SettingsDep
from cxrag.errors import InvalidRequest
from cxrag.reply.chat import ChatTurn

router = APIRouter(prefix="/v1", tags=["chat"])


class ChatRequest(BaseModel):
    """A customer's message."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"message": "¿Cuánto tarda un reembolso?", "visitor_id": "v-8c1f", "channel": "web"},
        {"message": "Where is my order?", "customer_id": "C0007",
         "customer_token": "<hex HMAC-SHA256 of C0007>", "channel": "web", "stream": True}]})

    message: str = Field(..., min_length=1, max_length=100_000)
    customer_id: str | None = Field(None, max_length=64)
    customer_token: str | None = Field(
        None, max_length=128, description="required with a widget key: HMAC of customer_id")
    visitor_id: str | None = Field(None, max_length=64, description="anonymous visitor id")
    conversation_id: str | None = Field(None, max_length=64)
    channel: Literal["web", "email", "whatsapp", "phone", "agent"] = "web"
    locale: str | None = Field(None, max_length=16, examples=["es-MX"])
    collection: str | None = None
    prompt_version: str | None = Field(None, max_length=32)
    stream: bool = False


@router.post("/chat")
async def chat(body: ChatRequest, request: Request, role: WidgetOrAbove,
               settings: SettingsDep) -> Any:
    """Answer a customer from the knowledge base, in their language, with citations.

    `grounded: false` comes with a `handoff` (reason, queue, summary) instead of a guess.
    With `stream: true` the response is `text/event-stream`: `token` events (`{"text"}`),
    then one `reply` event with the full payload (its `answer` replaces the streamed text).
    """
    if len(body.message) > settings.api.max_message_chars:
        raise InvalidRequest(f"message is longer than {settings.api.max_message_chars} "
                             "characters", limit=settings.api.max_message_chars)
    if body.customer_id and role == Role.widget:
        verify_customer(settings, settings.tenant, body.customer_id, body.customer_token)
    if not body.customer_id and not body.visitor_id:
        raise InvalidRequest("send customer_id (with its token) or an anonymous visitor_id")
    turn = ChatTurn(settings.tenant, body.message, body.channel, body.customer_id,
                    None if body.customer_id else body.visitor_id, body.conversation_id,
                    body.locale, body.prompt_version)
    assistant = request.app.state.assistant
    responder = await run_in_threadpool(assistant.responder, body.collection)
    if not body.stream:
        return await run_in_threadpool(assistant.chat.reply, responder, turn)
    return StreamingResponse(_sse(assistant.chat.stream(responder, turn)),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(events: Iterator[str | dict[str, Any]]) -> Iterator[str]:
    """Server-sent events (a sync iterator: Starlette runs it in a thread)."""
    for event in events:
        if isinstance(event, str):
            yield f"event: token\ndata: {json.dumps({'text': event}, ensure_ascii=False)}\n\n"
        else:
            yield f"event: reply\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
