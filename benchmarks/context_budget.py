"""How much of the answer reaches the prompt? The context budget and sentence choice, offline.

Retrieval and packing only (no model), as ``Responder.prepare`` does them, for several
budgets and sentence-choice weights (``ContextPacker``: tokens, passages, weight of the
question's words, bonus for figures on "how much / cuánto" questions):

- golden: the share of answerable golden cases (plain, cross-language, multi-turn) with one
  of their facts in the packed passages;
- mtrag: the share of the reference answer's content words present in the packed passages
  (``mtrag_fiqa_clapnq``, the answerable queries of ``reply_quality.py``'s sample of 60);
- gnome-es, gnome-es2en: the share of queries with a relevant page in the packed passages
  (Spanish queries over Spanish pages, then over the parallel English ones; the first 60 of
  the shared sample).

    .venv/bin/python benchmarks/context_budget.py      # ~1 min; bench-out/context_budget.json

The public collections come from ``reply_quality.py``'s cache (run it once first).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, save  # noqa: E402
from extractive_calibration import _NoModel  # noqa: E402
from reply_quality import CACHE, SETS, dataset_doc_id, history_turns, plan  # noqa: E402

CONFIGS = [(200, 3, 0.0, 0.0), (200, 3, 0.3, 0.1), (250, 3, 0.3, 0.1), (300, 3, 0.0, 0.0),
           (300, 3, 0.3, 0.1), (400, 4, 0.3, 0.1)]


def _text(passages: Any) -> str:
    return " ".join(p.text for p in passages)


def _evaluate(responder: Any, sentences: Any, items: list[dict[str, Any]],
              score: Any) -> dict[str, dict[str, float]]:
    from cxrag.compose.context import ContextPacker

    out = {}
    for budget, most, lexical, figures in CONFIGS:
        packer = ContextPacker(budget, "cl100k_base", sentences, most, lexical, figures)
        values, tokens = [], []
        for item in items:
            vector = responder.retriever.embedder.embed_query(item["q"])
            hits = responder.retriever.search(item["q"], k=responder.k, group_by_document=False,
                                              vector=vector).hits
            passages = packer.pack(hits, item["q"], vector)
            values.append(score(item, passages))
            tokens.append(sum(p.tokens for p in passages))
        out[f"{budget} tokens, {most} passages, words x{lexical}, figures +{figures}"] = {
            "score": round(sum(values) / len(values), 3),
            "context_tokens": round(sum(tokens) / len(tokens))}
    return out


def main() -> None:
    from cxrag.evals.cases import load_suite
    from cxrag.evals.metrics import fact_present
    from cxrag.evals.runner import EvalRunner
    from cxrag.logs import configure_logging
    from cxrag.reply.assistant import Assistant
    from cxrag.settings import Settings
    from cxrag.textnorm import content_words

    configure_logging("console", "WARNING")
    results: dict[str, Any] = {}
    runner = EvalRunner(Settings(_env_file=None, prompts={"dir": ROOT / "prompts"},  # type: ignore[call-arg]
                                 eval={"knowledge_dir": ROOT / "knowledge"}))
    try:
        kb = runner.prepare()
        assistant = Assistant(runner.settings, runner.knowledge, chat=_NoModel())  # type: ignore[arg-type]
        items = [{"q": f"{c.history[-2].text} {c.message}" if c.history else c.message,
                  "facts": c.facts}
                 for c in load_suite(ROOT / "evals" / "golden.yaml").cases
                 if c.facts and c.category in ("plain", "crosslingual", "multiturn")]
        results["golden_fact_in_context"] = _evaluate(
            assistant.responder(kb.collection), assistant.sentences, items,
            lambda it, ps: float(any(fact_present(f, _text(ps)) for f in it["facts"])))
        results["golden_cases"] = len(items)
        assistant.close()
    finally:
        runner.close()
    runner = EvalRunner(Settings(data_dir=CACHE, _env_file=None,  # type: ignore[call-arg]
                                 prompts={"dir": ROOT / "prompts"}))
    try:
        assistant = Assistant(runner.settings, runner.knowledge, chat=_NoModel())  # type: ignore[arg-type]
        items = []
        for q in plan(["mtrag"], 60)["mtrag"]:
            if not q["relevant"] or not q.get("answers"):
                continue
            turns = history_turns(q.get("history") or [])
            last = next((t for role, t in reversed(turns) if role == "customer"), "")
            items.append({"q": f"{last} {q['text']}".strip(),
                          "ref": content_words(str(q["answers"][0]))})
        results["mtrag_reference_words_in_context"] = _evaluate(
            assistant.responder("rq-mtrag"), assistant.sentences, items,
            lambda it, ps: len(it["ref"] & content_words(_text(ps))) / max(1, len(it["ref"])))
        results["mtrag_queries"] = len(items)
        # GNOME help (Spanish queries over Spanish, then English pages): is a relevant page
        # in the prompt at all (the first 60 queries of reply_quality.py's shared sample)
        for name in ("gnome-es", "gnome-es2en"):
            items = [{"q": q["text"], "relevant": {str(r) for r in q["relevant"]}}
                     for q in plan([name], 60)[name] if q["relevant"]]
            results[f"{name}_relevant_page_in_context"] = _evaluate(
                assistant.responder(SETS[name].collection), assistant.sentences, items,
                lambda it, ps: float(any(dataset_doc_id(p.document_id) in it["relevant"]
                                         for p in ps)))
            results[f"{name}_queries"] = len(items)
        assistant.close()
    finally:
        runner.close()
    path = save("context_budget", results)
    for key in ("golden_fact_in_context", "mtrag_reference_words_in_context",
                "gnome-es_relevant_page_in_context", "gnome-es2en_relevant_page_in_context"):
        print(key)
        for name, row in results[key].items():
            print(f"  {name:48} {row['score']:.3f}  ({row['context_tokens']} tokens)")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
