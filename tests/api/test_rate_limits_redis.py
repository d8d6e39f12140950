"""Rate-limit counters in Redis are shared by every replica (``CXRAG_REDIS_URL``)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis

from cxrag.api.throttle import RateLimiter
from cxrag.errors import RateLimited
from cxrag.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    return REDIS_URL


def test_two_replicas_share_one_visitor_budget(redis_url: str) -> None:
    settings = Settings(redis_url=redis_url, _env_file=None)  # type: ignore[call-arg]
    settings.api.rate_limits.per_visitor = "4/minute"
    replicas = [RateLimiter(settings), RateLimiter(settings)]
    visitor = f"v-{uuid.uuid4()}"

    async def hits() -> list[bool]:
        outcomes = []
        for i in range(6):
            try:
                await replicas[i % 2].hit("visitor", visitor)
                outcomes.append(True)
            except RateLimited as exc:
                assert exc.headers["Retry-After"]
                outcomes.append(False)
        return outcomes

    assert asyncio.run(hits()) == [True] * 4 + [False] * 2
    keys = redis.Redis.from_url(redis_url).keys("cxrag*")
    assert keys and not any(visitor.encode() in k for k in keys)  # hashed, never raw ids
