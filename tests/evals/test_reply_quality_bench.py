"""benchmarks/reply_quality.py without a model: sampling, intervals, aggregates, ids, compare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cxrag.compose.context import Passage
from cxrag.guard.grounding import Citation
from cxrag.ingest.models import SourceFile
from cxrag.reply.models import Handoff, Reply
from tests.benchmarks import load

rq = load("reply_quality")


def queries(answerable: int, unanswerable: int) -> list[dict[str, Any]]:
    rows = [{"id": f"a{i:03d}", "text": f"q {i}", "relevant": [f"d{i}"], "history": [],
             "answers": []} for i in range(answerable)]
    rows += [{"id": f"u{i:03d}", "text": f"u {i}", "relevant": [], "history": [],
              "answers": []} for i in range(unanswerable)]
    return rows


# -- sampling ---------------------------------------------------------------------------------
def test_sample_is_deterministic_and_ignores_file_order() -> None:
    pool = queries(50, 30)
    first = rq.sample(pool, 20, unanswerable_share=1 / 3)
    again = rq.sample(list(reversed(pool)), 20, unanswerable_share=1 / 3)
    assert [q["id"] for q in first] == [q["id"] for q in again]
    other_seed = rq.sample(pool, 20, unanswerable_share=1 / 3, seed=1)
    assert [q["id"] for q in other_seed] != [q["id"] for q in first]


def test_sample_is_stratified() -> None:
    picked = rq.sample(queries(50, 30), 20, unanswerable_share=1 / 3)
    assert len(picked) == 20
    assert sum(bool(q["relevant"]) for q in picked) == 13
    assert sum(not q["relevant"] for q in picked) == 7
    assert len({q["id"] for q in picked}) == 20
    # answerable first, then unanswerable, each in id order
    assert [q["id"] for q in picked] == sorted(q["id"] for q in picked)
    only = rq.sample(queries(50, 30), 10)
    assert all(q["relevant"] for q in only) and len(only) == 10


def test_sample_caps_at_what_there_is_and_respects_allowed() -> None:
    assert len(rq.sample(queries(3, 1), 20, unanswerable_share=1 / 3)) == 4
    allowed = {f"a{i:03d}" for i in range(0, 50, 2)}
    picked = rq.sample(queries(50, 0), 10, allowed=allowed)
    assert {q["id"] for q in picked} <= allowed


def test_gnome_sets_get_the_same_queries_and_mtrag_a_third_unanswerable() -> None:
    if not (rq.SHARED / "gnome_help_es2en" / "queries.jsonl").exists():
        pytest.skip("shared datasets not present")
    samples = rq.plan(["mtrag", "gnome-es", "gnome-es2en"], 12)
    assert [q["id"] for q in samples["gnome-es"]] == [q["id"] for q in samples["gnome-es2en"]]
    assert all(q["relevant"] for q in samples["gnome-es"])
    assert [bool(q["relevant"]) for q in samples["mtrag"]].count(False) == 4
    # only the es2en set alone: still the shared sample
    alone = rq.plan(["gnome-es2en"], 12)["gnome-es2en"]
    assert [q["id"] for q in alone] == [q["id"] for q in samples["gnome-es"]]
    assert rq.plan(["mtrag"], 12) == {"mtrag": samples["mtrag"]}


def test_ids_pick_those_queries_of_each_set_whole_and_in_id_order() -> None:
    if not (rq.SHARED / "mtrag_fiqa_clapnq" / "queries.jsonl").exists():
        pytest.skip("shared datasets not present")
    every = rq.load_queries(rq.SETS["mtrag"].root / "queries.jsonl")
    wanted = {every[5]["id"], every[0]["id"], "no-such-id"}
    picked = rq.plan(["mtrag", "gnome-es"], 12, ids=wanted)
    assert [q["id"] for q in picked["mtrag"]] == sorted(wanted - {"no-such-id"})
    assert picked["gnome-es"] == []  # none of its ids


def test_history_roles_map_to_turn_roles() -> None:
    turns = rq.history_turns([{"role": "user", "text": "hi"}, {"role": "agent", "text": "yo"}])
    assert turns == [("customer", "hi"), ("assistant", "yo")]
    assert set(rq.ROLES.values()) <= {"customer", "assistant", "agent"}


# -- ids --------------------------------------------------------------------------------------
def test_doc_id_of_an_ingested_file_is_the_dataset_id(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    for rel in ("t001.md", "sub/power-whydim.md", "clapnq_1_2-3-0-4.md"):
        (kb / rel).parent.mkdir(parents=True, exist_ok=True)
        (kb / rel).write_text("# x\n\ny\n")
    got = {rq.dataset_doc_id(SourceFile(p, kb).relative_id) for p in kb.rglob("*.md")}
    assert got == {"t001", "sub/power-whydim", "clapnq_1_2-3-0-4"}


def test_every_relevant_id_names_a_kb_file() -> None:
    for spec in rq.SETS.values():
        if not spec.root.exists():
            pytest.skip("shared datasets not present")
        kb = spec.root / "kb"
        ids = {rq.dataset_doc_id(SourceFile(p, kb).relative_id)
               for p in kb.rglob("*") if p.is_file()}
        wanted = {r for q in rq.load_queries(spec.root / "queries.jsonl") for r in q["relevant"]}
        assert wanted <= ids, spec.name


# -- scoring ----------------------------------------------------------------------------------
def test_wilson_against_known_values() -> None:
    low, high = rq.wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    low, high = rq.wilson(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(0.2775, abs=1e-4)
    low, high = rq.wilson(10, 10)
    assert low == pytest.approx(0.7225, abs=1e-4) and high == pytest.approx(1.0)
    assert rq.wilson(0, 0) is None


def rec(answerable: bool = True, answered: bool = True, cited: bool = True,
        **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "q", "answerable": answerable, "answered": answered,
        "handed_over": not answered, "handoff_reason": None if answered else "no_answer",
        "cited_relevant": cited, "context_relevant": True, "reference_similarity": None,
        "language_match": True, "latency_ms": 1000.0, "cached": False,
        "lost_at": None if (answered and cited) or not answerable else "model_abstained"}
    return base | changes


def test_aggregate_over_hand_made_records() -> None:
    records = [
        rec(reference_similarity=0.9, latency_ms=1000.0),   # correct
        rec(reference_similarity=0.7, latency_ms=3000.0),   # correct
        rec(cited=False, reference_similarity=0.5, lost_at="wrong_or_incomplete"),
        rec(answered=False, cited=False, latency_ms=5000.0),  # abstained on an answerable one
        rec(answerable=False, answered=False, cited=False),  # right abstention
        rec(answerable=False, answered=True, cited=False, language_match=False,
            cached=True, latency_ms=1.0),                   # answered the unanswerable
    ]
    agg = rq.aggregate(records)
    assert (agg["queries"], agg["answerable"], agg["unanswerable"]) == (6, 4, 2)
    assert (agg["answered"]["k"], agg["answered"]["n"]) == (3, 4)
    assert (agg["correct"]["k"], agg["correct"]["n"]) == (2, 4)
    assert (agg["precision"]["k"], agg["precision"]["n"]) == (2, 4)  # 4 answers in all
    assert (agg["abstention"]["k"], agg["abstention"]["n"]) == (1, 2)
    assert (agg["language"]["k"], agg["language"]["n"]) == (5, 6)
    assert agg["correct"]["rate"] == 0.5
    assert (agg["correct"]["low"], agg["correct"]["high"]) == pytest.approx(rq.wilson(2, 4))
    assert agg["similarity"] == {"mean": pytest.approx(0.7), "n": 3}
    assert agg["latency_p50_ms"] == 1000.0 and agg["latency_n"] == 5  # the cached one left out
    assert agg["cached"] == 1
    assert agg["lost_at"] == {"wrong_or_incomplete": 1, "model_abstained": 1}
    assert agg["handoff_reasons"] == {"no_answer": 2}
    assert agg["rungs"] == {}  # records without a rung (a Reply before rungs existed)
    assert rq.aggregate([rec(rung="extractive"), rec(rung="generated"),
                         rec(rung="extractive")])["rungs"] == {"extractive": 2, "generated": 1}


def test_aggregate_without_unanswerable_has_no_abstention_rate() -> None:
    agg = rq.aggregate([rec(), rec(answered=False, cited=False)])
    assert agg["abstention"] == {"k": 0, "n": 0, "rate": None, "low": None, "high": None}
    assert "abstention" in rq.table("x", agg)


def passage(doc: str, n: int = 1) -> Passage:
    return Passage(n, doc, f"{doc}#v-0", doc, f"{doc}.md", "text", "en", 1.0, 10)


def test_record_from_a_reply() -> None:
    spec = rq.SETS["mtrag"]
    query = {"id": "m1", "text": "why?", "relevant": ["d1", "d2"],
             "history": [{"role": "user", "text": "a"}], "answers": ["ref one", "ref two"]}
    reply = Reply("Because. [1]", [Citation(1, "d2", "D2", "d2.md", "q")], True, None, "en",
                  "v1", "m", latency_ms=1234.5, question="why, standalone?",
                  passages=[passage("d9"), passage("d2", 2)],
                  trace={"retrieved_ids": ["d9", "d2"], "model_text": "Because. [1]",
                         "guard": {"reason": None}})
    row = rq.record(spec, query, reply, cached=False,
                    similarity=lambda ref, ans: 0.8 if ref == "ref two" else 0.3)
    assert row["answered"] and row["cited_relevant"] and row["context_relevant"]
    assert row["reference_similarity"] == 0.8  # the best reference
    assert row["language_match"] and row["lost_at"] is None and row["turns"] == 1
    assert row["cited"] == ["d2"] and row["context"] == ["d9", "d2"]

    handed = Reply("I can't find...", [], False,
                   Handoff("no_answer", "support-es", "s"), "es", "v1", "m",
                   passages=[passage("d9")],
                   trace={"retrieved_ids": ["d9"], "model_text": "NO_ANSWER",
                          "guard": {"reason": "no_answer"}})
    row = rq.record(rq.SETS["gnome-es"], {**query, "answers": []}, handed, cached=True,
                    similarity=lambda ref, ans: 1.0)
    assert not row["answered"] and row["handed_over"] and row["handoff_reason"] == "no_answer"
    assert row["guard_reason"] == "no_answer" and row["reference_similarity"] is None
    assert row["lost_at"] == "not_retrieved" and row["language_match"] and row["cached"]

    long = Reply("x" * 1000, [], True, None, "en", "v1", "m")
    row = rq.record(spec, {**query, "relevant": []}, long, cached=False, similarity=None)
    assert len(row["answer"]) == rq.ANSWER_CHARS
    assert not row["answerable"] and row["lost_at"] is None


# -- compare ----------------------------------------------------------------------------------
def run_file(label: str, records: list[dict[str, Any]], ids: list[str]) -> dict[str, Any]:
    agg = rq.aggregate(records)
    return {"label": label, "when": "2026-01-01 00:00", "prompt_version": "v1", "model": "m",
            "sets": {"mtrag": {"aggregates": agg, "queries": [{"id": i} for i in ids]}}}


def test_compare_shows_both_runs_intervals_and_differences(tmp_path: Path,
                                                            capsys: Any) -> None:
    before = run_file("before", [rec(answered=False, cited=False)] * 10, ["a", "b"])
    after = run_file("after", [rec()] * 10, ["a", "b"])
    text = rq.compare(before, after)
    assert "A = before" in text and "B = after" in text
    line = next(x for x in text.splitlines() if x.startswith("answered"))
    assert "0.00 [0.00-0.28] 0/10" in line and "1.00 [0.72-1.00] 10/10" in line
    assert line.rstrip().endswith("+1.00 *")  # disjoint intervals
    assert "NOT the same queries" not in text
    assert "latency p50 ms" in text

    other = run_file("other", [rec()] * 8 + [rec(answered=False, cited=False)] * 2, ["a", "c"])
    text = rq.compare(after, other)
    line = next(x for x in text.splitlines() if x.startswith("correct"))
    assert line.rstrip().endswith("-0.20")  # overlapping intervals: no star
    assert "NOT the same queries" in text

    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(before))
    pb.write_text(json.dumps(after))
    assert rq.main(["--compare", str(pa), str(pb)]) == 0
    assert "+1.00 *" in capsys.readouterr().out


def test_compare_with_a_set_only_one_run_has() -> None:
    a = run_file("a", [rec()], ["x"])
    b = {**run_file("b", [rec()], ["x"]), "sets": {}}
    text = rq.compare(a, b)
    assert "mtrag" in text and "-" in text


def test_table_lists_every_metric() -> None:
    text = rq.table("gnome-es", rq.aggregate([rec(), rec(lost_at="not_retrieved",
                                                         answered=False, cited=False)]))
    for label in rq.LABELS:
        assert label in text
    assert "not_retrieved 1" in text
