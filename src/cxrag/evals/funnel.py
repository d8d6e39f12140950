"""Where answers die: for every answerable case not answered right, the first stage that lost it.

    not_retrieved -> cut_from_prompt -> model_abstained -> guard_rejected:<reason>
                  -> model_failed -> escalated -> wrong_or_incomplete

A case is answerable when no handoff is expected and it names relevant documents or facts;
it is answered right when it was not handed off and has every fact (a case with facts), or
is grounded and cites a relevant document (a case without). The stages read the trace each
reply carries (``retrieved_ids``, ``model_text``, ``guard``; see ``runner.result_row``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from cxrag.guard.grounding import NO_ANSWER

STAGES = ("not_retrieved", "cut_from_prompt", "model_abstained", "guard_rejected",
          "model_failed", "escalated", "wrong_or_incomplete")
"""The stages in pipeline order (``guard_rejected`` is reported as ``guard_rejected:<reason>``)."""


def answerable(row: dict[str, Any]) -> bool:
    """No handoff expected, and something to check the answer against."""
    return not row["expect_handoff"] and bool(row["relevant"] or row["facts"])


def answered_right(row: dict[str, Any]) -> bool:
    """Not handed off, and every fact present (with facts) or grounded and citing a relevant
    document (without)."""
    if row["handoff"] is not None:
        return False
    if row["facts"]:
        return bool(row.get("scores", {}).get("facts") == 1.0)
    return bool(row["grounded"]) and bool(set(row["cited_ids"]) & set(row["relevant"]))


def stage(row: dict[str, Any]) -> str | None:
    """The stage where an answerable case that was not answered right lost its answer."""
    if not answerable(row) or answered_right(row):
        return None
    return _retrieval_stage(row) or _model_stage(row)


def _retrieval_stage(row: dict[str, Any]) -> str | None:
    relevant = set(row["relevant"])
    if not relevant:  # facts only: retrieval cannot be judged
        return None
    if not relevant & set(row.get("retrieved_ids") or row["context_ids"]):
        return "not_retrieved"
    return None if relevant & set(row["context_ids"]) else "cut_from_prompt"


def _model_stage(row: dict[str, Any]) -> str:
    text, handoff, guard = row.get("model_text"), row["handoff"], row.get("guard")
    if text is not None and text.strip().upper().startswith(NO_ANSWER):
        return "model_abstained"
    if handoff is None:
        return "wrong_or_incomplete"
    if guard is not None and text is not None:
        return f"guard_rejected:{guard.get('reason') or handoff['reason']}"
    return "model_failed" if handoff["reason"] == "llm_unavailable" else "escalated"


def funnel(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts per stage, overall and by category and by language, and each stage's case ids."""
    staged = [(row, found) for row in rows if (found := stage(row)) is not None]
    by: dict[str, dict[str, Counter[str]]] = {"category": defaultdict(Counter),
                                              "language": defaultdict(Counter)}
    cases: dict[str, list[str]] = defaultdict(list)
    for row, found in staged:
        by["category"][row["category"]][found] += 1
        by["language"][row["language"]][found] += 1
        cases[found].append(row["id"])
    order = sorted(cases, key=stage_order)
    return {"answerable": sum(answerable(r) for r in rows), "lost": len(staged),
            "overall": {s: len(cases[s]) for s in order},
            "by_category": {k: dict(sorted(v.items())) for k, v in sorted(by["category"].items())},
            "by_language": {k: dict(sorted(v.items())) for k, v in sorted(by["language"].items())},
            "cases": {s: cases[s] for s in order}}


def stage_order(name: str) -> int:
    """Where ``name`` (a stage, ``guard_rejected:<reason>`` included) sits in the pipeline."""
    return STAGES.index(name.split(":", 1)[0])

