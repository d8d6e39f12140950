"""A zero-latency OpenAI-compatible chat server, for measuring cxrag's own overhead.

    python benchmarks/fake_openai.py PORT [TOKEN_DELAY_S]

It answers every ``POST /v1/chat/completions`` at once with the first sentence of the first
numbered passage in the prompt, cited ``[1]``, so the reply pipeline does all of its real work
(grounding check included) and only the model's thinking time is missing. With
``"stream": true`` it sends that answer word by word as OpenAI's chunks, ``TOKEN_DELAY_S``
apart (default 0), so a browser test can watch a reply stream in. It is a test and benchmark
harness: nothing in ``src/`` knows about it. A bare ASGI callable on uvicorn keeps its own CPU
cost per request small, since it shares the machine with the service under test.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from typing import Any

import uvicorn

_PASSAGE = re.compile(r"^\[1\] [^:\n]*: (.+?[.!?])(?:\s|$)", re.MULTILINE)
_QUESTION = re.compile(r"^(?:Last question|Question): (.+)$", re.MULTILINE)
TOKEN_DELAY_S = float(sys.argv[2]) if __name__ == "__main__" and len(sys.argv) > 2 else 0.0


def answer_for(messages: list[dict[str, Any]]) -> str:
    """The first passage's first sentence (or, for a condense prompt, the question)."""
    prompt = str(messages[-1].get("content", "")) if messages else ""
    if found := _PASSAGE.search(prompt):
        return f"{found.group(1)} [1]"
    if found := _QUESTION.search(prompt):
        return found.group(1)
    return "NO_ANSWER"


def completion(body: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI chat.completion object for ``body``."""
    text = answer_for(body.get("messages", []))
    return {
        "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI app: chat completions, and 200 on anything else (a health probe)."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    payload: dict[str, Any] = {"status": "ok"}
    if scope["path"].endswith("/chat/completions"):
        request = json.loads(body or b"{}")
        if request.get("stream"):
            await _stream(request, send)
            return
        payload = completion(request)
    data = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


async def _stream(body: dict[str, Any], send: Any) -> None:
    """The answer as server-sent ``chat.completion.chunk`` events, word by word, then usage."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream")]})
    words = answer_for(body.get("messages", [])).split(" ")
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": body.get("model", "fake")}
    chunks = [{**base, "choices": [{"index": 0, "finish_reason": None,
                                    "delta": {"content": w if i == 0 else " " + w}}]}
              for i, w in enumerate(words)]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    chunks.append({**base, "choices": [], "usage": {"prompt_tokens": 100,
                   "completion_tokens": len(words), "total_tokens": 100 + len(words)}})
    for chunk in chunks:
        data = f"data: {json.dumps(chunk)}\n\n".encode()
        await send({"type": "http.response.body", "body": data, "more_body": True})
        if TOKEN_DELAY_S:
            await asyncio.sleep(TOKEN_DELAY_S)
    await send({"type": "http.response.body", "body": b"data: [DONE]\n\n"})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
