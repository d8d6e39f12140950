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
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxrag.errors import (
    ConfigurationError,
    CxragError,
    InvalidRequest,
    PayloadTooLarge,
    RateLimited,
    ServiceBusy,
)
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


_NUL = b"%00"
# \u0000 in a JSON string: the escape itself, not a typed backslash before "u0000".
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_REFUSED = "text may not contain NUL characters (\\u0000)"


class Bounds:
    """Outermost middleware for ``/v1/``: the per-address rate, the body limit, and no NUL
    characters in the path, query or a JSON body.

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
            if _NUL in scope.get("raw_path", b"") or _NUL in scope.get("query_string", b""):
                raise InvalidRequest(NUL_REFUSED)
        except CxragError as exc:
            await problem_response(exc, scope["path"])(scope, receive, send)
            return
        await _limited(self.app, scope, receive, send, limit,
                       scan_nul=scope["path"] != UPLOAD_PATH)


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
                   limit: int, scan_nul: bool = False) -> None:
    """Run ``app`` with a receive that stops the body at ``limit`` bytes (413 sent once).
    With ``scan_nul`` (JSON bodies, small) the whole body is read first and refused (422) if
    it holds a NUL character, escaped or raw: no database stores one (a PostgreSQL text
    column refuses it), and no customer text needs one."""
    received, refused = 0, False

    async def refuse(error: CxragError) -> Message:
        nonlocal refused
        if not refused:
            refused = True
            await problem_response(error, scope["path"])(scope, receive, send)
        return {"type": "http.disconnect"}

    async def receive_limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                return await refuse(PayloadTooLarge(
                    f"request body over the {limit:,}-byte limit", limit=limit))
        return message

    async def receive_scanned() -> Message:
        parts: list[bytes] = []
        while True:
            message = await receive_limited()
            if message["type"] != "http.request":
                return message
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        if b"\x00" in body or _ESCAPED_NUL.search(body):
            return await refuse(InvalidRequest(NUL_REFUSED))
        return {"type": "http.request", "body": body, "more_body": False}

    scanned = False

    async def receive_once_scanned() -> Message:
        nonlocal scanned
        if scan_nul and not scanned:
            scanned = True
            return await receive_scanned()
        return await receive_limited()

    async def send_unless_refused(message: Message) -> None:
        if not refused:  # the 413 already went out
            await send(message)

    await app(scope, receive_once_scanned, send_unless_refused)
