"""The failure funnel: the stage each lost answer died at, counted and shown in the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxrag.evals.funnel import funnel, stage
from cxrag.evals.runner import write_run
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.evals.test_runner import KeywordChat, _run


def row(**changes: Any) -> dict[str, Any]:
    """A result row of an answerable case, answered right; ``changes`` break it."""
    base: dict[str, Any] = {
        "id": "c1", "category": "plain", "language": "en", "relevant": ["en/a"],
        "facts": ["never expire"], "expect_handoff": False, "handoff": None, "grounded": True,
        "cited_ids": ["en/a"], "context_ids": ["en/a", "en/b"], "retrieved_ids": ["en/a", "en/b"],
        "model_text": "They never expire.", "guard": {"reason": None, "unsupported": [],
                                                      "unsafe": []},
        "scores": {"facts": 1.0}}
    return base | changes


def handed(reason: str, **changes: Any) -> dict[str, Any]:
    """A row handed over for ``reason``."""
    return row(handoff={"reason": reason, "queue": "support-en"}, grounded=False, cited_ids=[],
               scores={"facts": 0.0}, **changes)


@pytest.mark.parametrize(("case", "expected"), [
    (row(), None),
    (row(expect_handoff=True, handoff=None), None),
    (row(relevant=[], facts=[]), None),
    (row(facts=[], scores={}), None),
    (row(retrieved_ids=["en/b"], context_ids=["en/b"], scores={"facts": 0.0}), "not_retrieved"),
    (row(context_ids=["en/b"], scores={"facts": 0.0}), "cut_from_prompt"),
    (handed("no_answer", model_text=" no_answer", guard={"reason": "no_answer"}),
     "model_abstained"),
    (handed("wrong_language", guard={"reason": "wrong_language"}),
     "guard_rejected:wrong_language"),
    (handed("ungrounded", guard={"reason": "unsupported", "unsupported": ["x"]}),
     "guard_rejected:unsupported"),
    (handed("unsafe", guard={"reason": "unsafe", "unsafe": [["x", "link"]]}),
     "guard_rejected:unsafe"),
    (handed("llm_unavailable", model_text=None, guard=None), "model_failed"),
    (handed("frustration", model_text=None, guard=None), "escalated"),
    (row(scores={"facts": 0.5}), "wrong_or_incomplete"),
    (row(facts=[], cited_ids=["en/b"], scores={}), "wrong_or_incomplete"),
    (row(relevant=[], retrieved_ids=[], context_ids=[], scores={"facts": 0.0}),
     "wrong_or_incomplete"),
])
def test_each_lost_answer_is_put_at_the_first_stage_that_lost_it(
        case: dict[str, Any], expected: str | None) -> None:
    assert stage(case) == expected


def test_the_funnel_counts_stages_overall_and_by_group() -> None:
    rows = [row(id="a"), row(id="b", scores={"facts": 0.5}),
            row(id="c", language="es", category="multiturn", context_ids=[],
                scores={"facts": 0.0}),
            row(id="d", language="es", scores={"facts": 0.0}), row(id="e", expect_handoff=True)]
    found = funnel(rows)
    assert found["answerable"] == 4 and found["lost"] == 3
    assert list(found["overall"]) == ["cut_from_prompt", "wrong_or_incomplete"]
    assert found["overall"]["wrong_or_incomplete"] == 2
    assert found["by_language"] == {"en": {"wrong_or_incomplete": 1},
                                    "es": {"cut_from_prompt": 1, "wrong_or_incomplete": 1}}
    assert found["by_category"]["multiturn"] == {"cut_from_prompt": 1}
    assert found["cases"] == {"cut_from_prompt": ["c"], "wrong_or_incomplete": ["b", "d"]}


SUITE = """
suite: mini
cases:
  - id: en-gift-cards
    category: plain
    language: en
    message: "Do your gift cards expire?"
    facts: ["never expire"]
    relevant: [en/gift-cards]
  - id: en-gift-online
    category: plain
    language: en
    message: "Can I use a gift card to buy something online?"
    facts: ["never expire"]
    relevant: [en/gift-cards]
  - id: en-missing
    category: plain
    language: en
    message: "Do you sell bike helmets? <script>x</script>"
    facts: ["never expire"]
    relevant: [en/no-such-article]
"""


def test_an_eval_run_records_where_its_answers_died(
        eval_home: Settings, fake_embedder: Any, tmp_path: Path) -> None:
    (eval_home.eval.dir / "mini.yaml").write_text(SUITE, encoding="utf-8")
    run = _run(eval_home, KeywordChat(), Knowledge(eval_home, embedder=fake_embedder))
    cases = {c["id"]: c for c in run["cases"]}
    assert "en/gift-cards" in cases["en-gift-online"]["retrieved_ids"]
    assert cases["en-gift-online"]["model_text"] == "NO_ANSWER"
    guard = cases["en-gift-cards"]["guard"]
    assert {k: v for k, v in guard.items() if k != "relevance"} == {
        "reason": None, "unsupported": [], "reasons": [], "unsafe": []}
    assert isinstance(guard["relevance"], float)  # the answer's cosine to the question

    assert run["funnel"]["cases"] == {"not_retrieved": ["en-missing"],
                                      "model_abstained": ["en-gift-online"]}
    assert run["funnel"]["by_language"]["en"] == {"model_abstained": 1, "not_retrieved": 1}
    write_run(run, tmp_path / "run")
    html = (tmp_path / "run" / "report.html").read_text()
    assert "Where answers die" in html and 'href="#case-en-missing"' in html
    assert 'id="case-en-missing"' in html and 'id="case-en-gift-online"' in html
    assert "<script>x</script>" not in html
