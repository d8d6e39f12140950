"""The adversarial corpus: whatever a poisoned passage made the model write, no payload
reaches the answer; and nothing the help centre would really say is flagged."""

from __future__ import annotations

import pytest

from cxrag.guard.safety import CREDENTIAL, LEAK, LINK, MARKUP
from tests.guard.adversarial_table import Case, checker, leaked, load, run, table

CASES, BENIGN = load()
GUARD, UNGUARDED = checker(), checker(with_policy=False)


def test_the_corpus_covers_every_class_vector_and_language() -> None:
    assert len(CASES) >= 60 and len(BENIGN) >= 20
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.cls for c in CASES} == {"instruction_override", "exfiltration", "foreign_link",
                                      "credential_request", "prompt_leak", "markup"}
    assert {c.vector for c in CASES} == {"document", "ticket", "message"}
    assert {c.language for c in CASES} == {"es", "en"}
    assert {c.code for c in CASES} == {LINK, CREDENTIAL, LEAK, MARKUP}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_without_the_policy_the_payload_reaches_the_answer(case: Case) -> None:
    assert leaked(run(UNGUARDED, case).answer, case)  # the attack is real, not a strawman


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_policy_no_payload_reaches_the_answer(case: Case) -> None:
    g = run(GUARD, case)
    assert leaked(g.answer, case) == []
    assert case.code in [code for _, code in g.unsafe]
    assert not g.grounded or g.answer  # never "grounded" with nothing left to show


@pytest.mark.parametrize("sentence", BENIGN)
def test_what_the_help_centre_really_says_is_not_flagged(sentence: str) -> None:
    assert GUARD.policy is not None and GUARD.policy.violation(sentence) is None
    assert run(GUARD, Case("benign", "none", "document", "es", sentence, sentence, (),
                           "")).unsafe == []


def test_the_table_counts_every_case_as_blocked() -> None:
    rows = table(CASES, GUARD).splitlines()
    assert rows[0] == "| class | vector | cases | blocked | passed |"
    assert rows[-1] == f"| **all** | | {len(CASES)} | {len(CASES)} | 0 |"
    assert "| prompt_leak | message |" in "\n".join(rows)
