"""Chat with the assistant: one reply, or a stream of server-sent events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Literal

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from cxrag.api.auth import CallerKey, Role, WidgetOrAbove, verify_customer, widget_collection
from cxrag.api.deps import ChatDep, RateLimiterDep, ReplySlotsDep, SettingsDep
from cxrag.api.schemas import problems
from cxrag.api.schemas_reply import ChatReply
from cxrag.api.throttle import RateLimiter, ReplySlots
from cxrag.errors import CxragError, InvalidRequest
from cxrag.generate.control import CallControl
from cxrag.reply.chat import ChatService, ChatTurn, customer_view
from cxrag.settings import Settings

router = APIRouter(prefix="/v1", tags=["chat"])
log = structlog.get_logger(__name__)


# One server-sent event of a streamed reply (``schema`` is per event before OpenAPI 3.2).
SSE_EVENT: dict[str, object] = {
    "type": "object", "required": ["event", "data"],
    "properties": {"event": {"enum": ["token", "reply", "error"]},
                   "data": {"type": "string", "contentMediaType": "application/json"}}}


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
    collection: str | None = Field(None, max_length=48)
    prompt_version: str | None = Field(None, max_length=32)
    stream: bool = False

    def turn(self, tenant: str) -> ChatTurn:
        """The message as a chat turn (a signed customer's, else the visitor's)."""
        return ChatTurn(tenant, self.message, self.channel, self.customer_id,
                        None if self.customer_id else self.visitor_id, self.conversation_id,
                        self.locale, self.prompt_version)


@router.post("/chat", response_model=ChatReply, response_model_exclude_unset=True, responses={
    200: {"description": "the reply; with `stream: true`, server-sent events",
          "content": {"text/event-stream": {"schema": SSE_EVENT}}},
    429: {**problems(429)[429],
          "description": "too many messages from this key, visitor or customer (Retry-After)"},
    503: {**problems(503)[503], "description": "too many replies in progress (Retry-After)"}})
async def chat(body: ChatRequest, request: Request, role: WidgetOrAbove, key: CallerKey,
               settings: SettingsDep, limiter: RateLimiterDep, slots: ReplySlotsDep,
               service: ChatDep) -> Any:
    """Answer a customer from the knowledge base, in their language, with citations.

    `grounded: false` comes with a `handoff` (reason, queue, summary) instead of a guess.
    With `stream: true` the response is `text/event-stream`: `token` events (`{"text"}`) carry
    sentences that already passed the guard, then one `reply` event has the full payload (its
    `answer` replaces the streamed text). A reply takes at most `llm.reply_deadline_s` with the
    model; then the customer gets the fallback. A client that leaves stops the generation.
    """
    collection = await _admit(body, role, key, settings, limiter)
    turn, control = body.turn(settings.tenant), CallControl(settings.llm.reply_deadline_s)
    view = customer_view if role == Role.widget else _as_is
    if body.stream:
        return await _stream(request, service, turn, collection, control, slots, view)
    async with slots.slot():
        payload = await _cancellable(request, control, lambda: service.answer(
            turn, collection, control=control))
    return ChatReply.model_validate(view(payload))


async def _admit(body: ChatRequest, role: Role, key: str, settings: Settings,
                 limiter: RateLimiter) -> str | None:
    """The collection the caller may ask (a widget key's own), once the message is within
    bounds, the customer's token verified and the visitor's or customer's rate allows it."""
    if len(body.message) > settings.api.max_message_chars:
        raise InvalidRequest(f"message is longer than {settings.api.max_message_chars} "
                             "characters", limit=settings.api.max_message_chars)
    collection = body.collection
    if role == Role.widget:
        collection = widget_collection(settings, key, body.collection)
        if body.customer_id:
            verify_customer(settings, settings.tenant, body.customer_id, body.customer_token)
    if not body.customer_id and not body.visitor_id:
        raise InvalidRequest("send customer_id (with its token) or an anonymous visitor_id")
    if body.customer_id:
        await limiter.hit("customer", f"{settings.tenant}/{body.customer_id}")
    else:
        await limiter.hit("visitor", f"{settings.tenant}/{body.visitor_id}")
    return collection


async def _stream(request: Request, service: ChatService, turn: ChatTurn,
                  collection: str | None, control: CallControl, slots: ReplySlots,
                  view: Callable[[dict[str, Any]], dict[str, Any]]) -> StreamingResponse:
    """The reply as server-sent events; its reply slot is held until the stream ends."""
    slots.take()  # held until the stream ends, however it ends
    end = _StreamEnd(control, slots)
    try:
        events = await run_in_threadpool(lambda: service.answer_stream(
            turn, collection, control=control))
    except BaseException:
        end()
        raise
    return StreamingResponse(_sse(events, end, view, request), media_type="text/event-stream",
                             background=BackgroundTask(end),
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


class _StreamEnd:
    """Once a stream is over (finished, failed, or its client gone, even before its first
    byte): cancel what still runs for it and return its reply slot."""

    def __init__(self, control: CallControl, slots: ReplySlots) -> None:
        self.control, self.slots, self.done = control, slots, False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            self.control.cancel()
            self.slots.give()


def _as_is(payload: dict[str, Any]) -> dict[str, Any]:
    return payload


async def _cancellable(request: Request, control: CallControl,
                       work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``work()`` in a worker thread; if the client disconnects meanwhile, ``control`` is
    cancelled, which aborts the model call (its reply then comes back as the fallback)."""
    watcher = _watch_disconnect(request, control)
    try:
        return await run_in_threadpool(work)
    finally:
        watcher.cancel()


def _watch_disconnect(request: Request, control: CallControl) -> asyncio.Task[None]:
    """A task that cancels ``control`` when the client goes away. (A stream would notice it
    only at its next write, and a guarded stream may write nothing for a while.)"""
    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        control.cancel()

    return asyncio.ensure_future(watch())


async def _sse(events: Iterator[str | dict[str, Any]], end: _StreamEnd,
               view: Callable[[dict[str, Any]], dict[str, Any]],
               request: Request) -> AsyncIterator[str]:
    """Server-sent events. When the client goes away the model call is cancelled and the
    reply slot returned."""
    watcher = _watch_disconnect(request, end.control)
    try:
        async for event in iterate_in_threadpool(events):
            if isinstance(event, str):
                data = json.dumps({"text": event}, ensure_ascii=False)
                yield f"event: token\ndata: {data}\n\n"
            else:
                yield f"event: reply\ndata: {json.dumps(view(event), ensure_ascii=False)}\n\n"
    except Exception as exc:  # never a dropped connection without a last event
        log.error("chat.stream_failed", error=type(exc).__name__, detail=str(exc)[:300])
        problem = CxragError("the reply could not be completed").to_problem("/v1/chat")
        yield f"event: error\ndata: {json.dumps(problem)}\n\n"
    finally:
        watcher.cancel()
        end()
