"""How a reply is scored: an order number shows which order, not that the question was answered."""

from __future__ import annotations

from typing import Any

import pytest

from cxrag.evals.metrics import answer_facts, score_case


def case(answer: str, facts: list[str], category: str = "personalised") -> dict[str, Any]:
    return {"relevant": ["en/returns-policy"], "expect_handoff": False, "handoff": None,
            "context_ids": ["en/returns-policy"], "cited_ids": ["en/returns-policy"],
            "facts": facts, "answer": answer, "reference": "", "category": category,
            "language": "en"}


RETURN_TV = ["TL-US-2026-002004", "30 days|30 calendar days|thirty days"]


@pytest.mark.parametrize(("answer", "right"), [
    ("Your order TL-US-2026-002004 (Arden 65\" TV), placed 2026-09-13: delivered, with UPS.",
     0.0),  # the account line alone: which order, no answer to "can I still return it?"
    ("Your order TL-US-2026-002004: delivered. You can return it within 30 days. [1]", 1.0),
    ("You can return it within 30 days of delivery. [1]", 1.0),
])
def test_the_order_number_alone_is_no_answer(answer: str, right: float) -> None:
    scores = score_case(case(answer, RETURN_TV), None)
    assert scores["answer_correct"] == right
    assert scores["answered"] == 1.0  # answered all the same: it is not a handoff


def test_when_the_order_is_all_the_case_asks_for_it_counts() -> None:
    assert answer_facts(["TL-MX-2026-002356"]) == ["TL-MX-2026-002356"]
    assert answer_facts(["TL-MX-2026-002356", "Estafeta"]) == ["Estafeta"]
    where = case("Tu pedido TL-MX-2026-002356 va con Estafeta.", ["TL-MX-2026-002356"])
    assert score_case(where, None)["answer_correct"] == 1.0
