"""Bounded work per caller: body limits checked before anything reads a body, rate limits (per
client address, API key, visitor and customer; ``limits``, in memory or in Redis when
``CXRAG_REDIS_URL`` is set), and a cap on replies in progress.

A widget key is public, so nothing a caller sends may hold the server: an oversized body is
refused as it arrives (413, whatever its Content-Length claims), a caller over its rate gets 429
with Retry-After, and a reply beyond ``api.chat_concurrency`` gets 503 with Retry-After instead
of a thread and a place in the model's queue.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxrag.errors import ConfigurationError, CxragError, PayloadTooLarge, RateLimited, ServiceBusy
from cxrag.metrics import ERRORS
from cxrag.settings import Settings

PROBLEM = "application/problem+json"
Scope_ = Literal["ip", "key", "visitor", "customer"]
UPLOAD_PATH = "/v1/ingest"


class RateLimiter:
    """Moving-window limits per scope; ``hit`` raises ``RateLimited`` with Retry-After."""

    def __init__(self, settings: Settings) -> None:
        rl = settings.api.rate_limits
        try:
            self._rules: dict[str, list[RateLimitItem]] = {
                "ip": parse_many(rl.per_ip), "key": parse_many(rl.per_key),
                "visitor": parse_many(rl.per_visitor), "customer": parse_many(rl.per_customer)}
        except ValueError as exc:
            raise ConfigurationError(f"invalid rate limit in api.rate_limits: {exc}") from exc
        self._storage: Storage = (RedisStorage(settings.redis_url, implementation="redispy",
                                               key_prefix="cxrag")
                                  if settings.redis_url else MemoryStorage())
        self.backend = "redis" if settings.redis_url else "memory"
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def healthy(self, timeout_s: float = 2.0) -> bool:
        """Whether the counters' storage answers (Redis, when configured) within
        ``timeout_s``."""
        try:
            return bool(await asyncio.wait_for(self._storage.check(), timeout_s))
        except (TimeoutError, OSError):
            return False

    async def hit(self, scope: Scope_, identity: str) -> None:
        """Count one request of ``identity``; raise when it is over a limit of ``scope``."""
        who = hashlib.sha256(identity.encode()).hexdigest()[:24]  # no raw keys in Redis
        for item in self._rules[scope]:
            if not await self._limiter.hit(item, scope, who):
                stats = await self._limiter.get_window_stats(item, scope, who)
                raise RateLimited(f"too many requests for this {scope} (limit {item}); "
                                  "try again later", retry_after=stats.reset_time - time.time(),
                                  limit=str(item))


class ReplySlots:
    """Replies in progress at most; one more is ``ServiceBusy`` (503 + Retry-After)."""

    def __init__(self, size: int, retry_after_s: float = 5.0) -> None:
        self.size, self.retry_after_s, self.taken = size, retry_after_s, 0

    def take(self) -> None:
        """Claim a slot or raise (no waiting: a queue of callers is what this prevents)."""
        if self.taken >= self.size:
            raise ServiceBusy(f"{self.size} replies are in progress; try again shortly",
                              retry_after=self.retry_after_s)
        self.taken += 1

    def give(self) -> None:
        """Return a slot."""
        self.taken = max(0, self.taken - 1)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A slot for the duration of the block."""
        self.take()
        try:
            yield
        finally:
            self.give()


def problem_response(exc: CxragError, path: str) -> JSONResponse:
    """``exc`` as an RFC 9457 response, with its headers (Retry-After), counted by code."""
    ERRORS.labels(exc.code, str(exc.status)).inc()
    return JSONResponse(exc.to_problem(path), status_code=exc.status, media_type=PROBLEM,
                        headers=exc.headers)


class Bounds:
    """Outermost middleware for ``/v1/``: the per-address rate and the body limit.

    The body limit is ``api.max_upload_mb`` for uploads and ``api.max_body_kb`` for the rest;
    a declared Content-Length over it is refused before a byte is read, and a body that grows
    past it (chunked, or lying about its length) is cut off with 413 as it arrives.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings: Settings = state.settings
        try:
            await state.rate_limiter.hit("ip", (scope.get("client") or ("?",))[0])
            limit = _limit(settings, scope["path"])
            _check_declared(scope, limit)
        except CxragError as exc:
            await problem_response(exc, scope["path"])(scope, receive, send)
            return
        await _limited(self.app, scope, receive, send, limit)


def _limit(settings: Settings, path: str) -> int:
    if path == UPLOAD_PATH:
        return int(settings.api.max_upload_mb * 1024 * 1024) + 64 * 1024  # + multipart framing
    return settings.api.max_body_kb * 1024


def _check_declared(scope: Scope, limit: int) -> None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                raise PayloadTooLarge("invalid Content-Length header") from None
            if declared > limit:
                raise PayloadTooLarge(f"request body over the {limit:,}-byte limit",
                                      limit=limit)


async def _limited(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                   limit: int) -> None:
    """Run ``app`` with a receive that stops the body at ``limit`` bytes (413 sent once)."""
    received, refused = 0, False

    async def receive_limited() -> Message:
        nonlocal received, refused
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                if not refused:
                    refused = True
                    await problem_response(PayloadTooLarge(
                        f"request body over the {limit:,}-byte limit", limit=limit),
                        scope["path"])(scope, receive, send)
                return {"type": "http.disconnect"}
        return message

    async def send_unless_refused(message: Message) -> None:
        if not refused:  # the 413 already went out
            await send(message)

    await app(scope, receive_limited, send_unless_refused)
