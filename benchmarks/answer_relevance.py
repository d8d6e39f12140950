"""Is the answer about the question? The guard's ``min_answer_relevance``, chosen on public data.

A small model that cannot find the answer often copies a passage sentence about something
else (a student discount for a question about a senior discount, a shipping sentence for a
question about jobs in the warehouse). Every passage check passes such a sentence: the passage
does say it. The guard's relevance rule (``GroundingChecker.min_answer_relevance``) asks one more
thing of a generated reply: one of its supported sentences must be close enough to the
question (embedding cosine, the multilingual embedder, so it holds across languages).

This reads runs that recorded each reply's relevance with the rule off
(``CXRAG_GUARD__MIN_ANSWER_RELEVANCE=0``; the guard's ``relevance`` in the reply trace) and the
replies' labels, and sweeps the threshold over the replies the rule applies to (the model's
own answers that passed every other check):

- right: an answerable query, answered citing a relevant document (the public sets) or
  stating one of the case's facts / citing a relevant article (the golden set);
- wrong: an unanswerable query answered, or an answer citing no relevant document / without
  the case's facts.

The threshold is chosen on ``mtrag`` + ``gnome-es`` together: the highest one that loses none
of their right answers (``MAX_LOST``; measured on 2026-12-04, the rule hardly separates right
from wrong on these sets, so it may only be a backstop for plainly unrelated sentences).
``gnome-es2en`` and the project's golden set are held out and reported beside it.

    CXRAG_GUARD__MIN_ANSWER_RELEVANCE=0 .venv/bin/python benchmarks/reply_quality.py --label rel0
    CXRAG_GUARD__MIN_ANSWER_RELEVANCE=0 .venv/bin/cxrag eval run golden --out /tmp/rel0-golden
    .venv/bin/python benchmarks/answer_relevance.py bench-out/reply_quality-rel0.json \\
        /tmp/rel0-golden/run.json

Both runs answer from the generation caches when their prompts are unchanged: with the
cache of an earlier run, each takes a few minutes. Writes ``bench-out/answer_relevance.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import save  # noqa: E402

CHOOSE_ON = ("mtrag", "gnome-es")
MAX_LOST = 0.0
THRESHOLDS = [round(0.05 * i, 3) for i in range(0, 13)]


def public_items(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Per set of a ``reply_quality.py`` run: the generated replies with a relevance."""
    run = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, list[dict[str, Any]]] = {}
    for name, data in run["sets"].items():
        out[name] = [{"id": q["id"], "relevance": q["guard_relevance"],
                      "right": q["answerable"] and q["cited_relevant"]}
                     for q in data["queries"]
                     if q.get("rung") == "generated" and q.get("guard_relevance") is not None]
    return out


def golden_items(path: Path) -> list[dict[str, Any]]:
    """The golden run's generated replies with a relevance (``answer_correct`` as label)."""
    run = json.loads(path.read_text(encoding="utf-8"))
    return [{"id": c["id"], "relevance": (c.get("guard") or {}).get("relevance"),
             "right": bool(c["scores"].get("answer_correct"))}
            for c in run["cases"]
            if c.get("rung") == "generated" and (c.get("guard") or {}).get("relevance")
            is not None]


def sweep(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per threshold: right answers lost and wrong answers caught (shares and counts)."""
    right = [i for i in items if i["right"]]
    wrong = [i for i in items if not i["right"]]
    rows = []
    for t in THRESHOLDS:
        lost = sum(i["relevance"] < t for i in right)
        caught = sum(i["relevance"] < t for i in wrong)
        rows.append({"threshold": t, "right": len(right), "wrong": len(wrong),
                     "right_lost": lost, "wrong_caught": caught,
                     "right_lost_share": lost / len(right) if right else None,
                     "wrong_caught_share": caught / len(wrong) if wrong else None})
    return rows


def choose(rows: Sequence[dict[str, Any]]) -> float:
    """The highest threshold losing at most ``MAX_LOST`` of the right answers."""
    ok = [r["threshold"] for r in rows
          if r["right_lost_share"] is not None and r["right_lost_share"] <= MAX_LOST]
    return float(max(ok)) if ok else 0.0


def _auroc(items: Sequence[dict[str, Any]]) -> float | None:
    from sklearn.metrics import roc_auc_score

    labels = [i["right"] for i in items]
    if len(set(labels)) < 2:
        return None
    return float(roc_auc_score(labels, [i["relevance"] for i in items]))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("public", type=Path, help="reply_quality.py JSON (rule off)")
    parser.add_argument("golden", type=Path, nargs="?", help="golden run.json (rule off)")
    args = parser.parse_args(argv)
    sets = public_items(args.public)
    if args.golden is not None:
        sets["golden"] = golden_items(args.golden)
    pool = [i for name in CHOOSE_ON for i in sets.get(name, [])]
    pooled = sweep(pool)
    chosen = choose(pooled)
    result: dict[str, Any] = {"choose_on": list(CHOOSE_ON), "max_lost": MAX_LOST,
                              "chosen": chosen, "pooled": pooled, "sets": {}}
    print(f"chosen on {' + '.join(CHOOSE_ON)} (at most {MAX_LOST:.0%} of right answers lost): "
          f"min_answer_relevance = {chosen}")
    print(f"{'set':12s} {'right':>5s} {'wrong':>5s} {'AUROC':>6s}  at the chosen threshold")
    for name, items in [("pooled", pool), *sets.items()]:
        rows = sweep(items)
        at = next(r for r in rows if r["threshold"] == chosen)
        auroc = _auroc(items)
        if name != "pooled":
            result["sets"][name] = {"auroc": auroc, "sweep": rows, "at_chosen": at,
                                    "items": list(items)}
        held = "" if name in (*CHOOSE_ON, "pooled") else "  (held out)"
        print(f"{name:12s} {at['right']:5d} {at['wrong']:5d} "
              f"{'-' if auroc is None else f'{auroc:.2f}':>6s}  right lost "
              f"{at['right_lost']}/{at['right']}, wrong caught {at['wrong_caught']}/"
              f"{at['wrong']}{held}")
    print("\nthreshold  right lost / wrong caught (pooled)")
    for r in pooled:
        print(f"{r['threshold']:9.2f}  {r['right_lost']}/{r['right']}  {r['wrong_caught']}/"
              f"{r['wrong']}")
    save("answer_relevance", result)


if __name__ == "__main__":
    main()
