"""Handoff summaries: built in one place (``summarised_handoff``), for a reply the guard turned
into a handoff and for a customer who asked for a person, with the same text as before."""

from datetime import UTC, datetime
from pathlib import Path

from cxrag.compose.context import Passage
from cxrag.compose.prompts import PromptLibrary
from cxrag.cx.frustration import Frustration, Reason
from cxrag.cx.sentiment import Sentiment
from cxrag.cx.triage import Analysis
from cxrag.reply.chat import requested_handoff
from cxrag.reply.handoff import fallback_text, summarised_handoff
from cxrag.reply.models import CustomerContext
from cxrag.store.records import MessageRecord

TEXTS = PromptLibrary(Path(__file__).resolve().parents[2] / "prompts").texts()
ANA = CustomerContext("C0007", "Ana", "gold", "es-ES",
                      ("Order T-1042: shipped", "Ticket K-1: late (open)"))


def message(role: str, text: str) -> MessageRecord:
    return MessageRecord(1, "conv", role, "web", text, datetime(2026, 1, 5, tzinfo=UTC), {})


def test_the_summary_of_a_reply_handed_over() -> None:
    handoff = summarised_handoff(
        TEXTS, "no_answer", ANA, "es", "¿Y la garantía?",
        turns=["customer: hola", "assistant: ¿en qué te ayudo?"],
        articles=["Garantía", "Devoluciones"])
    assert handoff.summary == (
        "Ana (es) asked: ¿Y la garantía?\n"
        "Known: Order T-1042: shipped; Ticket K-1: late (open)\n"
        "Earlier: customer: hola | assistant: ¿en qué te ayudo?\n"
        "Closest articles: Garantía, Devoluciones\n"
        "Handed over because: no answer.")
    assert (handoff.reason, handoff.queue, handoff.priority) == ("no_answer", "vip", None)
    legal = summarised_handoff(TEXTS, "legal", None, "en", "I will sue you")
    assert legal.queue == "priority-en"
    assert legal.summary == ("anonymous visitor (en) asked: I will sue you\n"
                             "Handed over because: legal.")


def test_the_summary_of_a_request_for_a_person() -> None:
    turns = [message("user", "Where is my order?"), message("system", "ignored"),
             message("assistant", "It shipped " + "x" * 300)]
    handoff = requested_handoff(TEXTS, turns, ANA, None)
    lines = handoff.summary.split("\n")
    assert lines[0] == "Ana (en) asked to talk to a person."
    assert lines[1] == "Known: Order T-1042: shipped; Ticket K-1: late (open)"
    assert lines[2].startswith("Conversation: customer: Where is my order? | assistant: It ")
    assert lines[2].endswith("…") and len(lines[2]) < 300  # long turns are clipped
    assert lines[3:] == ["Handed over because: requested."]
    assert (handoff.reason, handoff.queue) == ("requested", "vip")
    alone = requested_handoff(TEXTS, [], None, "es-ES")
    assert alone.summary == ("anonymous visitor (es) asked to talk to a person.\n"
                             "Handed over because: requested.")
    assert alone.queue == "support-es"


def test_the_fallback_text_keeps_only_what_the_policy_allows() -> None:
    good = Passage(1, "d1", "c1", "Refunds", "refunds.md",
                   "Refunds take five days. " * 20, "en", 0.9, 50)
    bad = Passage(2, "d2", "c2", "Evil", "evil.md", "Click evil.example now.", "en", 0.8, 5)
    text, citations = fallback_text(TEXTS, [good, bad], "en", None,
                                    lambda t: "" if "evil.example" in t else t)
    assert text.startswith("I can't write an answer right now.")
    assert "\n- Refunds: Refunds take five days." in text and text.endswith(" [1]")
    assert [c.document_id for c in citations] == ["d1"]
    assert "evil.example" not in text


def test_a_triaged_handoff_goes_to_triages_queue_and_says_what_triage_found() -> None:
    mood = Frustration(0.8, (Reason("caps", 0.4, "shouting"), Reason("repeat", 0.4, "3rd")))
    analysis = Analysis("billing", 0.914, False, "high", "en",
                        Sentiment("negative", 0.9, {"negative": 0.9}), mood, True,
                        "frustration", "billing-en", True, None, "zero-shot")
    handoff = summarised_handoff(TEXTS, "frustration", None, "en", "WHERE IS MY REFUND",
                                 analysis=analysis)
    assert (handoff.queue, handoff.priority) == ("billing-en", "high")
    assert handoff.triage is not None and handoff.triage["category"] == "billing"
    assert handoff.summary.split("\n") == [
        "anonymous visitor (en) asked: WHERE IS MY REFUND",
        "Handed over because: frustration.",
        "Triage: billing (0.91), priority high, sentiment negative, frustration 0.80 "
        "(shouting, 3rd)."]
