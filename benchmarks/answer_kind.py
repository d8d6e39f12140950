"""The guard's answer-kind rule (``cxrag.guard.asked``) on questions and answers nobody here wrote.

    .venv/bin/python benchmarks/answer_kind.py

The rule: a question that plainly asks how long or how much, when a passage sent with it
states a time or an amount, is answered only by a reply that states one the question did not.
Its risk is a right answer it would hand to a person. No model runs: for every query of the
shared sets with reference answers (``mtrag_fiqa_clapnq``, ``bitext_triage_en``) and of
``stackfaq`` (whose documents hold the accepted answers), this counts

- the questions the rule recognises (``time`` / ``amount``),
- those whose relevant documents state one (where the rule applies),
- among those with reference answers, the references that state one (the rule keeps them)
  and those that do not (a right answer the rule would turn into a handoff), with examples;
  and the same count without the passage condition (what a rule on the question alone does).

Writes ``bench-out/answer_kind.json`` and prints a table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save  # noqa: E402

from cxrag.guard.asked import asked, gives  # noqa: E402

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SETS = ("mtrag_fiqa_clapnq", "bitext_triage_en", "stackfaq", "gnome_help_es")


def document(folder: Path, doc_id: str) -> str:
    for ext in (".md", ".txt", ".html"):
        path = folder / "kb" / f"{doc_id}{ext}"
        if path.exists():
            return path.read_text(encoding="utf-8", errors="replace")
    return ""


def one_set(name: str) -> dict[str, Any]:
    folder = DATASETS / name
    rows = [json.loads(line) for line in (folder / "queries.jsonl").read_text().splitlines()]
    out: dict[str, Any] = {"queries": len(rows), "time": 0, "amount": 0, "applies": 0,
                           "with_answers": 0, "kept": 0, "rejected": 0, "examples": [],
                           "unconditional_with_answers": 0, "unconditional_kept": 0}
    for row in rows:
        kind = asked(row["text"])
        if kind is None:
            continue
        out[kind] += 1
        answers = [a if isinstance(a, str) else a.get("text", "")
                   for a in row.get("answers") or []]
        if answers:  # what the rule would do without its passage condition
            out["unconditional_with_answers"] += 1
            out["unconditional_kept"] += any(gives(a, kind, row["text"]) for a in answers)
        docs = [document(folder, d) for d in row.get("relevant", [])]
        if not any(gives(text, kind, row["text"]) for text in docs):
            continue  # no relevant document states it: the rule stands aside
        out["applies"] += 1
        if not answers:
            continue
        out["with_answers"] += 1
        if any(gives(a, kind, row["text"]) for a in answers):
            out["kept"] += 1
        else:
            out["rejected"] += 1
            out["examples"].append({"id": row["id"], "question": row["text"],
                                    "answer": answers[0][:300]})
    return out


def main() -> None:
    report = {name: one_set(name) for name in SETS if (DATASETS / name).exists()}
    path = save("answer_kind", report)
    print("| set | queries | asks a time / an amount | a relevant document states it "
          "| with references | references kept | references the rule would hand over "
          "| without the passage condition: references kept |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in report.items():
        print(f"| {name} | {r['queries']} | {r['time']} / {r['amount']} | {r['applies']} "
              f"| {r['with_answers']} | {r['kept']} | {r['rejected']} "
              f"| {r['unconditional_kept']} of {r['unconditional_with_answers']} |")
    for name, r in report.items():
        for e in r["examples"]:
            print(f"\n{name} {e['id']}: {e['question']}\n  reference: {e['answer']}")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
