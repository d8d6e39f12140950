"""The adversarial corpus end to end: planted in articles, helpdesk exports and chat messages,
through ingest (screening) and ``POST /v1/chat`` (the output policy, plain and streamed) with a
model that fully complies. No payload reaches a customer; where each attack stops is counted
(``python -m tests.guard.adversarial_e2e_table`` prints the table)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from cxrag.errors import LLMTimeout
from cxrag.ingest.screening import screen
from tests.guard.adversarial_e2e_table import (
    Outcome,
    Results,
    ask,
    chat_app,
    help_centre,
    misses,
    plant,
    run,
    table,
)
from tests.guard.adversarial_table import leaked, load

CASES = load()[0]
PLANTED = [c for c in CASES if c.vector != "message"]
# What screening exists for: instructions aimed at the assistant or at customers, in the
# words its rules name. (Markup it finds is stripped from articles by parsing anyway.)
INSTRUCTION_CODES = {"instruction_override", "customer_instruction", "role_token",
                     "credential_request", "prompt_exfiltration"}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return run(CASES, tmp_path_factory.mktemp("adversarial-e2e"))


@pytest.fixture(scope="module")
def by_id(results: Results) -> dict[str, Outcome]:
    return {o.case.id: o for o in results.outcomes}


def test_no_payload_reaches_the_customer_plain_or_streamed(results: Results) -> None:
    passed = {o.case.id: o.leaks for o in results.outcomes if o.leaks}
    assert passed == {}


def test_the_output_policy_drops_every_payload_by_the_expected_rule(results: Results) -> None:
    missed = {o.case.id: (o.case.code, sorted(o.flagged)) for o in results.outcomes
              if o.case.code not in o.flagged}
    assert missed == {}


def test_the_compliant_model_was_shown_the_poison(results: Results) -> None:
    # Layer 2 tests something only if the model answered, with the planted passage in its
    # prompt: a chat message was not escalated before the model, and a planted source was
    # retrieved, except a ticket whose payload ingest redacted (links, addresses) away.
    unseen = [(o.case.vector, o.verbatim) for o in results.outcomes if not o.reached_model]
    assert set(unseen) <= {("ticket", False)}
    assert len(unseen) <= 3


def test_screening_quarantines_planted_instructions_in_every_place(by_id: dict[str, Outcome],
                                                                   results: Results) -> None:
    instructions = [c for c in PLANTED
                    if {t.code for t in screen(c.text)} & INSTRUCTION_CODES]
    assert len(instructions) >= 5
    for case in instructions:  # the article, the customer's message, the agent's resolution
        assert by_id[case.id].stopped_at_ingest, (case.id, by_id[case.id].quarantined)
    # Only planted sources: nothing of the real help centre is quarantined.
    planted = {"/planted/" in source for source in results.quarantined}
    assert planted == {True}
    gaps = misses(results.outcomes)
    if gaps:  # the output policy is the backstop for these (asserted above)
        warnings.warn(f"screening let {len(gaps)} planted sources into the index: "
                      + ", ".join(gaps), stacklevel=1)


def test_a_ticket_is_screened_on_both_sides_though_only_the_agent_side_is_indexed(
        by_id: dict[str, Outcome]) -> None:
    tickets = [by_id[c.id] for c in PLANTED if c.vector == "ticket"]
    assert {frozenset(o.quarantined) for o in tickets} == {frozenset({"customer", "agent"})}
    assert all(o.quarantined["customer"] == o.quarantined["agent"] for o in tickets)


def test_the_table_counts_every_case_once(results: Results) -> None:
    rows = table(results.outcomes).splitlines()
    assert rows[0] == ("| class | vector | cases | quarantined at ingest "
                       "| blocked by the output policy | passed |")
    quarantined = sum(o.stopped_at_ingest for o in results.outcomes)
    assert rows[-1] == f"| **all** | | {len(CASES)} | {quarantined} | {len(CASES)} | 0 |"
    assert any(r.startswith("| prompt_leak | message | 6 | – |") for r in rows)


def test_when_the_model_fails_the_fallback_shows_no_payload(tmp_path: Path) -> None:
    """The fallback quotes passages without a model: every planted document and ticket, with
    the model timing out, must still leak nothing (plain and streamed)."""
    planted_cases = [c for c in CASES if c.vector != "message"]
    kb = help_centre(tmp_path / "kb")
    planted = plant(planted_cases, kb / "planted")
    leaks: dict[str, list[str]] = {}
    fallbacks = 0
    with chat_app(tmp_path, [kb]) as app:
        for case in planted_cases:
            shown = []
            for stream in (False, True):
                app.model.script = [LLMTimeout("the model took too long")]
                shown += ask(app.client, f"{planted[case.id].title}: {case.text}",
                             f"v-{case.id}-{stream}", stream)
            fallbacks += any("I can't write an answer right now" in t or
                             "no puedo redactar" in t for t in shown)
            if found := leaked(" ".join(shown), case):
                leaks[case.id] = found
    assert fallbacks == len(planted_cases)
    assert leaks == {}
