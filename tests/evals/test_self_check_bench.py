"""benchmarks/self_check.py without a model: reading P(yes), the AUROC, the prompt."""

from __future__ import annotations

import math

from tests.benchmarks import load

bench = load("self_check")


def test_p_yes_adds_each_word_s_spellings_and_renormalises_over_yes_and_no() -> None:
    alternatives = [("Yes", math.log(0.5)), (" yes", math.log(0.1)), ("No", math.log(0.2)),
                    ("Maybe", math.log(0.2))]
    assert math.isclose(bench.p_yes(alternatives), 0.6 / 0.8)
    assert bench.p_yes([("Maybe", 0.0)]) is None  # neither word: no reading


def test_auroc_counts_pairs_and_ties_half() -> None:
    assert bench.auroc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert bench.auroc([0.1], [0.9]) == 0.0
    assert bench.auroc([0.5], [0.5]) == 0.5
    assert bench.auroc([0.9], []) is None


def test_the_prompt_shows_the_reply_without_its_citation_marks() -> None:
    msgs = bench.messages("how much?", ["It costs $5.", "Other."], "It costs $5. [1]")
    user = msgs[1]["content"]
    assert "[1] It costs $5.\n[2] Other." in user
    assert "Reply: It costs $5.\n" in user  # "[1]" taken out of the reply, not the passages
