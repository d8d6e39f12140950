"""Can the model check its own replies? A measured candidate for the guard (issue 14).

For every reply of a finished golden run that reached the customer as an answer (rung
``generated`` or ``extractive``) and has an ``answer_correct`` label, ask the configured chat
model, with the passages that were sent, "does the reply answer the question, as the passages
say? yes or no", and read P(yes) from the first token's log-probabilities (as the bias suite's
tone classifier reads its words). If P(yes) told right answers from wrong ones, a reply under a
threshold could go to the extractive rung or a person like a guard failure, for one more short
model call. Prints each case and the AUROC of P(yes), right against wrong; writes
``bench-out/self_check.json``. One model job at a time (it starts the embedded model).

    .venv/bin/cxrag eval run golden --out /tmp/golden
    .venv/bin/python benchmarks/self_check.py /tmp/golden/run.json
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import save  # noqa: E402

from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.reply.assistant import Assistant  # noqa: E402
from cxrag.settings import Settings  # noqa: E402

# The candidate prompt lives here, not in prompts/: it is a measurement, not a product prompt.
SYSTEM = ("You check a customer support reply against help-centre passages. Answer with one "
          "word: yes if the reply answers the customer's question and the passages say what "
          "the reply says, no otherwise.")
_CITE = re.compile(r"\s*\[\d+\]")


def messages(question: str, passages: list[str], reply: str) -> list[dict[str, str]]:
    numbered = "\n".join(f"[{i}] {text}" for i, text in enumerate(passages, 1))
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Passages:\n{numbered}\n\nQuestion: {question}\n"
                                        f"Reply: {_CITE.sub('', reply)}\n\nDoes the reply "
                                        "answer the question, as the passages say? Answer yes "
                                        "or no:"}]


def p_yes(alternatives: Sequence[tuple[str, float]]) -> float | None:
    """P(yes) renormalised over yes and no, from the first token's alternatives."""
    yes = sum(math.exp(lp) for tok, lp in alternatives if tok.strip().lower().startswith("yes"))
    no = sum(math.exp(lp) for tok, lp in alternatives if tok.strip().lower().startswith("no"))
    return yes / (yes + no) if yes + no > 0 else None


def auroc(right: list[float], wrong: list[float]) -> float | None:
    """How well P(yes) ranks right replies above wrong ones (None without both kinds)."""
    from sklearn.metrics import roc_auc_score

    if not right or not wrong:
        return None
    return float(roc_auc_score([1] * len(right) + [0] * len(wrong), right + wrong))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path, help="a golden run.json (cxrag eval run golden --out)")
    args = ap.parse_args()
    run = json.loads(args.run.read_text())
    settings = Settings()
    settings = settings.model_copy(update={"llm": settings.llm.model_copy(
        update={"temperature": 0.0, "timeout_s": 120.0, "reply_deadline_s": 120.0})})
    assistant = Assistant(settings, Knowledge(settings))
    rows: list[dict[str, Any]] = []
    try:
        for case in run["cases"]:
            right = (case.get("scores") or {}).get("answer_correct")
            if case.get("rung") not in ("generated", "extractive") or right is None:
                continue
            result = assistant.model.complete(
                messages(case["question"], [p["text"] for p in case["context"]],
                         case["answer"]), max_tokens=2, logprobs=True, top_logprobs=10)
            p = p_yes(result.alternatives)
            rows.append({"id": case["id"], "right": bool(right), "p_yes": p,
                         "said": result.text.strip()})
            print(f"{case['id']:34s} right={bool(right)!s:5s} P(yes)="
                  f"{'-' if p is None else f'{p:.3f}'} said={result.text.strip()!r}", flush=True)
    finally:
        assistant.close()
    scored = [r for r in rows if r["p_yes"] is not None]
    area = auroc([r["p_yes"] for r in scored if r["right"]],
                 [r["p_yes"] for r in scored if not r["right"]])
    print(f"AUROC of P(yes), right against wrong: {'-' if area is None else f'{area:.3f}'} "
          f"({sum(r['right'] for r in scored)} right, {sum(not r['right'] for r in scored)} "
          "wrong)")
    print(f"wrote {save('self_check', {'run': str(args.run), 'auroc': area, 'cases': rows})}")


if __name__ == "__main__":
    main()
