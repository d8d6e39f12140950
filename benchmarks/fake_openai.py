"""A zero-latency OpenAI-compatible chat server, for measuring cxrag's own overhead.

    python benchmarks/fake_openai.py PORT

It answers every ``POST /v1/chat/completions`` at once with the first sentence of the first
numbered passage in the prompt, cited ``[1]``, so the reply pipeline does all of its real work
(grounding check included) and only the model's thinking time is missing. It is a benchmark
harness: nothing in ``src/`` knows about it. A bare ASGI callable on uvicorn keeps its own CPU
cost per request small, since it shares the machine with the service under test.
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

import uvicorn

_PASSAGE = re.compile(r"^\[1\] [^:\n]*: (.+?[.!?])(?:\s|$)", re.MULTILINE)
_QUESTION = re.compile(r"^Question: (.+)$", re.MULTILINE)


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
        payload = completion(json.loads(body or b"{}"))
    data = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
