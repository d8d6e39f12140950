"""The embedded model on this machine: time to first token, full reply, prompt tokens, and the
floor that the runtime's own prompt-processing speed implies; resident memory of cxrag serve.

    .venv/bin/python benchmarks/reply_latency.py [--questions 12] [--prompt-version v3]
        [--context-tokens 200]

1. A real ``cxrag serve`` (embedded Qwen2.5-Coder-1.5B on llama.cpp) over knowledge/ answers
   typical knowledge questions (the same-language eval set, es and en alternating) with
   ``stream: true``, one at a time, as new visitors: time to the first ``token`` event and to
   the final ``reply`` event, measured by the HTTP client; prompt tokens and cached prompt
   tokens from the reply's usage. Then its resident memory (VmRSS now, VmHWM at peak).
2. The same prompts (rendered in-process with the same settings) go to a fresh runtime with
   ``max_tokens: 1`` and ``cache_prompt: false``: llama.cpp's own ``timings.prompt_ms`` is the
   time to process the whole prompt, i.e. the first-token floor without prefix caching, and
   ``prompt_per_second`` the runtime's prompt speed.
Targets (issue 14): TTFT p50 <= 3 s and full reply p50 <= 6 s on a host that processes >= 100
prompt tokens/s (the runtime speed of step 2, same run); RSS of cxrag serve with the model
loaded <= 2.5 GB. A streamed reply's first ``token`` is its first sentence that passed the
guard.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, save  # noqa: E402
from serving import WIDGET_KEY, free_port, memory_kb, prepare_data, serve  # noqa: E402


def questions(n: int) -> list[str]:
    """``n`` same-language eval questions, Spanish and English alternating."""
    rows = [json.loads(line) for line in
            (ROOT / "evals" / "retrieval" / "samelingual.jsonl").read_text().splitlines()]
    es = [r["text"] for r in rows if r["query_language"] == "es"]
    en = [r["text"] for r in rows if r["query_language"] == "en"]
    mixed = [q for pair in zip(es, en, strict=False) for q in pair]
    return mixed[:n]


def stream_one(client: httpx.Client, question: str, n: int, version: str) -> dict[str, Any]:
    """One streamed chat turn: first-token and total seconds, usage, outcome."""
    began = time.perf_counter()
    first: float | None = None
    final: dict[str, Any] = {}
    body = {"message": question, "visitor_id": f"latency-{time.time_ns()}-{n}",
            "stream": True, "prompt_version": version}
    with client.stream("POST", "/v1/chat", json=body) as resp:
        resp.raise_for_status()
        event = ""
        for line in resp.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                if event == "token" and first is None:
                    first = time.perf_counter() - began
                elif event == "reply":
                    final = json.loads(line[6:])
    total = time.perf_counter() - began
    return {"question": question, "ttft_s": first if first is not None else total,
            "streamed": first is not None, "total_s": total, "usage": final.get("usage", {}),
            "grounded": final.get("grounded"), "language": final.get("language"),
            "handoff": (final.get("handoff") or {}).get("reason"), "rung": final.get("rung"),
            "answer": final.get("answer", "")}


def through_service(data_dir: Path, qs: list[str], version: str,
                    env: dict[str, str]) -> dict[str, Any]:
    """Stream every question through a real ``cxrag serve``; then read its memory."""
    port = free_port()
    with serve(data_dir, port, ready_timeout_s=300, **env) as (proc, ready_s), httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": WIDGET_KEY},
            timeout=300, trust_env=False) as client:
        stream_one(client, "¿Hacéis envíos a Canarias?", -1, version)  # warm-up, not counted
        runs = [stream_one(client, q, i, version) for i, q in enumerate(qs)]
        memory = memory_kb(proc.pid)
    return {"ready_s": ready_s, "runs": runs, "memory_kb": memory}


def floors(data_dir: Path, qs: list[str], version: str,
           env: dict[str, str]) -> list[dict[str, float]]:
    """llama.cpp's own prompt timings for the same prompts, prefix cache off, with the
    service's settings (the caller's other ``CXRAG_`` variables are not the service's)."""
    from serving import service_env

    for key in [k for k in os.environ if k.startswith("CXRAG_")]:
        del os.environ[key]
    os.environ.update(service_env(data_dir, **env))
    from cxrag.knowledge import Knowledge
    from cxrag.reply.assistant import Assistant
    from cxrag.reply.models import ReplyRequest
    from cxrag.settings import Settings

    settings = Settings()
    knowledge = Knowledge(settings)
    assistant = Assistant(settings, knowledge)
    runtime = assistant.runtime
    assert runtime is not None
    out = []
    try:
        responder = assistant.responder()
        for q in qs:
            messages = responder.prepare(ReplyRequest(q, prompt_version=version)).messages
            resp = httpx.post(f"{runtime.base_url}/chat/completions", timeout=300,
                              trust_env=False,
                              headers={"Authorization": f"Bearer {runtime.api_key}"},
                              json={"model": settings.llm.model, "messages": messages,
                                    "max_tokens": 1, "cache_prompt": False}).json()
            t = resp["timings"]
            out.append({"prompt_tokens": t["prompt_n"], "prompt_s": t["prompt_ms"] / 1000,
                        "prompt_tokens_per_s": t["prompt_per_second"]})
    finally:
        assistant.close()
        knowledge.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--prompt-version", default="v3")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-out" / "serve-data")
    parser.add_argument("--context-tokens", type=int, default=None,
                        help="passage budget of the service (CXRAG_PROMPTS__CONTEXT_TOKENS; "
                        "default: the settings' default)")
    args = parser.parse_args()
    env = ({} if args.context_tokens is None
           else {"CXRAG_PROMPTS__CONTEXT_TOKENS": str(args.context_tokens)})
    prepare_data(args.data_dir)
    qs = questions(args.questions)
    served = through_service(args.data_dir, qs, args.prompt_version, env)
    floor = floors(args.data_dir, qs, args.prompt_version, env)
    runs = served["runs"]
    med = statistics.median
    summary = {
        "questions": len(runs), "prompt_version": args.prompt_version,
        "context_tokens": args.context_tokens,
        "ttft_p50_s": med(r["ttft_s"] for r in runs),
        "reply_p50_s": med(r["total_s"] for r in runs),
        "prompt_tokens_p50": med(r["usage"].get("input_tokens", 0) for r in runs),
        "output_tokens_p50": med(r["usage"].get("output_tokens", 0) for r in runs),
        "floor_prompt_s_p50": med(f["prompt_s"] for f in floor),
        "runtime_prompt_tokens_per_s_p50": med(f["prompt_tokens_per_s"] for f in floor),
        "grounded": sum(bool(r["grounded"]) for r in runs),
        "handoffs": {reason: sum(r["handoff"] == reason for r in runs)
                     for reason in {r["handoff"] for r in runs if r["handoff"]}},
        "serve_ready_s": served["ready_s"],
        "serve_rss_mb": round(served["memory_kb"]["VmRSS"] / 1024),
        "serve_peak_rss_mb": round(served["memory_kb"]["VmHWM"] / 1024),
        "rungs": {rung: sum(r["rung"] == rung for r in runs) for rung in {r["rung"] for r in runs}},
        "targets": {"ttft_p50_s": 3.0, "reply_p50_s": 6.0, "serve_rss_mb": 2560,
                    "at_prompt_tokens_per_s": 100},
    }
    label = args.prompt_version + ("" if args.context_tokens is None
                                   else f"_ctx{args.context_tokens}")
    path = save(f"reply_latency_{label}",
                {"summary": summary, "runs": runs, "floors": floor})
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    for r, f in zip(runs, floor, strict=True):
        print(f"{r['ttft_s']:5.2f} s first token, {r['total_s']:5.2f} s reply, "
              f"{r['usage'].get('input_tokens', '?')} prompt tokens (floor {f['prompt_s']:.2f} s"
              f" at {f['prompt_tokens_per_s']:.0f} tok/s), grounded={r['grounded']} "
              f"{r['handoff'] or ''} | {r['question'][:50]}")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
