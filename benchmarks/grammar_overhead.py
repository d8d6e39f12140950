"""What the no-CJK grammar (``CXRAG_LLM__NO_CJK``) costs a reply on the embedded model.

One embedded server; the same requests sent with and without the grammar, in alternating
pairs (the order flips every pair), temperature 0. Each request is a help-centre passage
(from ``knowledge/articles``, ~400 tokens) and a question about it, as the answer prompt
sends them; the reply is capped at ``--max-tokens``. The prompt cache is off, so both sides
process the whole prompt. Reports each side's medians (wall time, prompt tokens/s, ms per
generated token, from the server's own timings), the median of the per-pair ratios of ms per
generated token (with grammar / without: the grammar acts when a token is sampled, not on the
prompt) and whether every reply came out the same. Run it with nothing else on the CPU.

    .venv/bin/python benchmarks/grammar_overhead.py            # ~3 min here
    .venv/bin/python benchmarks/grammar_overhead.py --pairs 12 --max-tokens 160
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, save  # noqa: E402

QUESTIONS = [
    ("es/politica-de-devoluciones.md", "¿Cuántos días tengo para devolver un pedido?"),
    ("en/luma-cloud-storage-plans.md", "How much is Cloud Plus per month?"),
    ("es/recogida-en-oficina-de-correos.md", "¿Cuántos días tengo para recoger en Citypaq?"),
    ("en/gift-cards.md", "Do gift cards expire?"),
    ("es/metodos-de-pago.md", "Resume en cinco frases qué formas de pago hay."),
    ("en/returns-policy.md", "Summarise in five sentences how returns work."),
]


def _passage(name: str, tokens: int = 400) -> str:
    path = ROOT / "knowledge" / "articles" / name
    words = path.read_text("utf-8").split()
    return " ".join(words[: int(tokens * 0.7)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=120)
    args = parser.parse_args()

    from cxrag.generate.runtime import EmbeddedRuntime
    from cxrag.logs import configure_logging
    from cxrag.settings import Settings

    configure_logging("console", "WARNING")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    prompts = [[{"role": "system", "content": "Answer from the passage only, in the "
                 "customer's language, and cite it as [1]."},
                {"role": "user", "content": f"[1] {_passage(doc)}\n\nQuestion: {q}"}]
               for doc, q in QUESTIONS]
    grammar = settings.llm.model_copy(update={"no_cjk": True}).grammar
    with EmbeddedRuntime(settings.llm).start() as runtime:
        def send(messages: list[dict[str, str]], on: bool, max_tokens: int) -> dict[str, Any]:
            # the server's own timings; no prompt cache, so both sides process the prompt
            body = {"model": settings.llm.model, "messages": messages, "temperature": 0,
                    "max_tokens": max_tokens, "cache_prompt": False,
                    **({"grammar": grammar} if on else {})}
            reply = httpx.post(f"{runtime.base_url}/chat/completions", json=body, timeout=300,
                               headers={"Authorization": f"Bearer {runtime.api_key}"})
            reply.raise_for_status()
            out: dict[str, Any] = reply.json()
            return out

        for on in (False, True):  # warm-up: the first request and the grammar's first parse
            send(prompts[0], on, 8)
        rows: dict[bool, list[dict[str, float]]] = {False: [], True: []}
        ratios, same = [], 0
        for i in range(args.pairs):
            messages = prompts[i % len(prompts)]
            texts = {}
            for on in ((False, True) if i % 2 == 0 else (True, False)):
                began = time.perf_counter()
                answer = send(messages, on, args.max_tokens)
                timings = answer["timings"]
                rows[on].append({"wall_s": time.perf_counter() - began,
                                 "prompt_tok_s": timings["prompt_per_second"],
                                 "gen_ms_per_tok": timings["predicted_per_token_ms"],
                                 "gen_tokens": timings["predicted_n"]})
                texts[on] = answer["choices"][0]["message"]["content"]
            ratios.append(rows[True][-1]["gen_ms_per_tok"] / rows[False][-1]["gen_ms_per_tok"])
            same += texts[True] == texts[False]
            off, on_ = rows[False][-1], rows[True][-1]
            print(f"pair {i + 1}: ms per generated token without {off['gen_ms_per_tok']:.1f}, "
                  f"with {on_['gen_ms_per_tok']:.1f}; wall {off['wall_s']:.2f} / "
                  f"{on_['wall_s']:.2f} s")

    def median(on: bool, key: str) -> float:
        return round(statistics.median(r[key] for r in rows[on]), 3)

    result = {
        "machine": machine(), "pairs": args.pairs, "max_tokens": args.max_tokens,
        **{f"{side}_{key}_median": median(on, key)
           for side, on in (("without", False), ("with", True))
           for key in ("wall_s", "prompt_tok_s", "gen_ms_per_tok", "gen_tokens")},
        "gen_ms_per_tok_ratio_median": round(statistics.median(ratios), 3),
        "ratio_min_max": [round(min(ratios), 3), round(max(ratios), 3)],
        "identical_replies": f"{same}/{args.pairs}",
    }
    path = save("grammar_overhead", result)
    print(result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
