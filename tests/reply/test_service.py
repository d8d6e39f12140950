"""The reply pipeline with a fake chat model over the sample knowledge base (real Chroma,
real tantivy, fake embedder): grounding decisions, fallback, follow-ups, streaming."""

import re
from pathlib import Path

import pytest

from cxrag.compose.context import ContextPacker
from cxrag.compose.prompts import PromptLibrary
from cxrag.errors import LLMTimeout
from cxrag.guard.grounding import GroundingChecker
from cxrag.knowledge import Knowledge
from cxrag.reply.models import CustomerContext, ReplyRequest, Turn
from cxrag.reply.service import Responder
from tests.conftest import FakeChat

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


@pytest.fixture
def responder_for(knowledge: Knowledge, sample_kb: Path):  # type: ignore[no-untyped-def]
    assert knowledge.get().ingestor.run([sample_kb]).ok

    def make(chat: FakeChat) -> Responder:
        return Responder(knowledge.get().retriever, chat, PromptLibrary(PROMPTS),
                         ContextPacker(600),
                         GroundingChecker(knowledge.embedder, 0.5, min_answer_relevance=0.0),
                         "fake-model")
    return make


def test_a_supported_answer_is_cited_from_what_was_retrieved(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("Gift cards never expire and can be used on any product sold by us.")
    reply = responder_for(chat).reply(ReplyRequest("Do gift cards expire?"))
    assert reply.grounded and reply.handoff is None and reply.language == "en"
    assert [c.document_id for c in reply.citations] == ["en/gift-cards"]
    assert reply.answer.endswith("[1]") and reply.prompt_version == "v1"
    assert reply.usage["total_tokens"] == 120 and reply.model == "fake-model"
    prompt = chat.calls[0][1]["content"]
    assert prompt.index("Do gift cards expire?") < prompt.index("[1] Gift cards")


def test_an_invented_answer_becomes_a_handoff_in_the_customer_language(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("Nuestras tiendas de Madrid abren los domingos por la tarde con parking.")
    reply = responder_for(chat).reply(ReplyRequest("¿Las tarjetas regalo caducan?"))
    assert not reply.grounded and reply.citations == []
    assert reply.language == "es" and reply.answer.startswith("No encuentro")
    assert reply.handoff is not None and reply.handoff.reason == "ungrounded"
    assert "¿Las tarjetas regalo caducan?" in reply.handoff.summary
    assert reply.handoff.queue == "support-es"


def test_no_answer_hands_off(responder_for) -> None:  # type: ignore[no-untyped-def]
    reply = responder_for(FakeChat("NO_ANSWER")).reply(ReplyRequest("What is the CEO's salary?"))
    assert not reply.grounded and reply.handoff and reply.handoff.reason == "no_answer"


def test_a_model_timeout_gives_cited_passages_and_a_handoff_not_an_error(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat(LLMTimeout("no answer in 60 s"))
    reply = responder_for(chat).reply(ReplyRequest("infrared night vision camera white image"))
    assert not reply.grounded and reply.handoff and reply.handoff.reason == "llm_unavailable"
    assert reply.citations and reply.citations[0].document_id == "en/night-vision"
    assert "[1]" in reply.answer and reply.answer.startswith("I can't write an answer")


def test_a_follow_up_is_rewritten_before_retrieval(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("¿Cuánto dura la garantía de los dispositivos Luma?",
                    "Todos los dispositivos Luma tienen dos años de garantía.")
    history = [Turn("customer", "Compré una Luma Cam"), Turn("assistant", "¡Buena elección!")]
    reply = responder_for(chat).reply(ReplyRequest("¿y la garantía?", history=history))
    assert reply.question == "¿Cuánto dura la garantía de los dispositivos Luma?"
    assert len(chat.calls) == 2 and "Compré una Luma Cam" in chat.calls[0][1]["content"]
    assert reply.grounded and reply.citations[0].document_id == "es/garantia"


def test_customer_facts_go_into_the_prompt_and_vips_get_their_queue(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("NO_ANSWER")
    ana = CustomerContext("C0001", "Ana", "gold", "es-ES", ("Order T-1042 shipped 2026-11-20",))
    reply = responder_for(chat).reply(ReplyRequest("¿Dónde está mi pedido?", customer=ana))
    prompt = chat.calls[0][1]["content"]
    assert "Ana (gold tier)" in prompt and "Order T-1042 shipped" in prompt
    assert reply.handoff and reply.handoff.queue == "vip" and "T-1042" in reply.handoff.summary


def test_stream_yields_checked_sentences_then_the_checked_reply(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("Gift cards never expire and can be used on any product sold by us. "
                    "Orders ship within 24 hours.")
    events = list(responder_for(chat).stream(ReplyRequest("Do gift cards expire?")))
    tokens, final = events[:-1], events[-1]
    assert [t.rsplit(" [", 1)[0] for t in tokens] == [
        "Gift cards never expire and can be used on any product sold by us.",
        "Orders ship within 24 hours."]
    assert all(re.fullmatch(r".+ \[\d\]", t) for t in tokens)  # each with its citation
    assert not isinstance(final, str) and final.grounded and final.citations
    assert final.answer == " ".join(tokens) and final.usage["input_tokens"] == 100


SHIP = "Orders ship within 24 hours."
COPIED = "Gift cards never expire and can be used on any"  # a passage's words, cut off
OWN = "Gift cards can be used on any"  # the model's own words, cut off


@pytest.mark.parametrize("tail, limit, shown", [
    (OWN, 20, None),  # cut at the token limit: dropped
    (COPIED, 20, "Gift cards never expire and can be used on any product sold by us."),
    (OWN, 200, OWN),  # below the limit an unpunctuated last sentence is the model's ending
])
def test_a_sentence_cut_off_at_the_token_limit_is_completed_or_dropped(  # type: ignore[no-untyped-def]
        responder_for, tail: str, limit: int, shown: str | None) -> None:
    """The fake reports 20 output tokens for a reply (its word count when streaming); at
    that limit the model was cut off: an unfinished last sentence that copies a passage is
    completed with the passage's words, any other is dropped, whole or streamed."""
    text = f"{SHIP} {tail}"
    question = ReplyRequest("Do gift cards expire?")
    for path in ("reply", "stream", "draft"):  # a draft's text comes from ``complete``
        responder = responder_for(FakeChat(text))
        streamed = path == "stream"
        responder.max_tokens = len(text.split(" ")) if streamed and limit == 20 else limit
        if streamed:
            answer = " ".join(e for e in responder.stream(question) if isinstance(e, str))
        elif path == "draft":
            answer = responder.complete(responder.prepare(question))[1].answer
        else:
            answer = responder.reply(question).answer
        assert answer.startswith(SHIP), (path, answer)
        sentences = [re.sub(r" \[\d\]$", "", s) for s in re.split(r"(?<=\]) ", answer)]
        assert sentences[1:] == ([] if shown is None else [shown]), (path, answer)


DROPPED = [
    "Zebras deliver parcels by hot-air balloon every leap year.",  # unsupported
    "Las tarjetas regalo no caducan nunca y valen para todo.",  # wrong language
    "Send your password to help@evil.example to keep the card safe.",  # unsafe
    "Gift cards expire after 12 months.",  # a figure no passage states
    "My instructions are: You are a customer support assistant.",  # prompt leak
    "NO_ANSWER",
]


@pytest.mark.parametrize("order", [0, 1, 2])
def test_no_dropped_sentence_ever_reaches_the_stream(responder_for, order: int) -> None:  # type: ignore[no-untyped-def]
    good = "Gift cards never expire and can be used on any product sold by us."
    mixed = [good, *DROPPED] if order == 0 else [*DROPPED, good] if order == 1 else \
        [DROPPED[0], good, *DROPPED[1:]]
    responder = responder_for(FakeChat(" ".join(mixed)))
    events = list(responder.stream(ReplyRequest("Do gift cards expire?")))
    streamed = " ".join(e for e in events if isinstance(e, str))
    for sentence in DROPPED:
        assert sentence.rstrip(".") not in streamed, (sentence, streamed)
    assert "evil" not in streamed and "NO_ANSWER" not in streamed
    final = events[-1]
    assert not isinstance(final, str)
    if order == 1:  # NO_ANSWER before the good sentence: nothing counts after an abstention
        assert streamed == "" or good in streamed


def test_a_supported_answer_in_the_wrong_language_is_handed_over(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("Gift cards never expire and can be used on any product sold by us.")
    reply = responder_for(chat).reply(ReplyRequest("¿Las tarjetas regalo caducan alguna vez?"))
    assert not reply.grounded and reply.handoff and reply.handoff.reason == "wrong_language"
    assert reply.answer.startswith("No encuentro")


def test_a_request_for_a_person_is_handed_over_without_asking_the_model(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("Gift cards never expire and can be used on any product sold by us.")
    reply = responder_for(chat).reply(ReplyRequest("Do gift cards expire? Let me speak to a "
                                                   "human agent"))
    assert chat.calls == [] and not reply.grounded and reply.citations == []
    assert reply.handoff is not None and reply.handoff.reason == "requested_human"
    assert reply.handoff.queue == "support-en" and "person on the team" in reply.answer
    assert "Gift cards" in reply.handoff.summary  # the closest article is in the summary
    events = list(responder_for(chat).stream(ReplyRequest("Me han hackeado la cuenta")))
    assert len(events) == 1 and events[0].handoff.queue == "priority-es"
    follow_up = ReplyRequest("then transfer me to your supervisor",
                             [Turn("customer", "Do gift cards expire?")])
    reply = responder_for(chat).reply(follow_up)  # not even the follow-up rewrite is asked for
    assert chat.calls == [] and reply.handoff is not None and "Earlier:" in reply.handoff.summary


def test_a_reply_traces_what_was_retrieved_said_and_judged(responder_for) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("Our Madrid stores open on Sunday afternoons and have free parking.",
                    LLMTimeout("slow"))
    responder = responder_for(chat)
    invented = responder.reply(ReplyRequest("Do gift cards expire?"))
    ids = invented.trace["retrieved_ids"]
    assert ids and len(ids) == len(set(ids)) and ids[0] == "en/gift-cards"
    assert invented.trace["model_text"].startswith("Our Madrid")
    assert invented.trace["guard"]["reason"] == "unsupported"
    assert invented.trace["guard"]["unsupported"]
    failed = responder.reply(ReplyRequest("Do gift cards expire?"))
    assert failed.trace["model_text"] is None and failed.trace["guard"] is None
    assert failed.trace["retrieved_ids"] == ids
    assert {p.document_id for p in failed.passages} <= set(ids)


def test_a_search_that_found_nothing_relevant_goes_to_a_person_before_the_model(
        knowledge: Knowledge, sample_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert knowledge.get().ingestor.run([sample_kb]).ok
    retriever = knowledge.get().retriever
    real_search = retriever.search
    relevance = {"value": 0.2}

    def scored(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_search(*args, **kwargs)
        result.relevance = relevance["value"]  # what the real embedder's score would say
        return result

    monkeypatch.setattr(retriever, "search", scored)
    chat = FakeChat("Gift cards never expire and can be used on any product sold by us.")
    responder = Responder(retriever, chat, PromptLibrary(PROMPTS), ContextPacker(600),
                          GroundingChecker(knowledge.embedder, 0.5, min_answer_relevance=0.0),
                          "fake-model",
                          min_relevance=0.35)
    reply = responder.reply(ReplyRequest("Do gift cards expire?"))
    assert reply.handoff is not None and not reply.grounded and not chat.calls
    assert reply.passages == []
    relevance["value"] = 0.6
    reply = responder.reply(ReplyRequest("Do gift cards expire?"))
    assert reply.grounded and [c.document_id for c in reply.citations] == ["en/gift-cards"]


def test_the_customers_name_does_not_reach_the_prompt_or_the_search(responder_for) -> None:  # type: ignore[no-untyped-def]
    prompts = []
    for name in ("Lucía", "Javier"):
        chat = FakeChat("Gift cards never expire and can be used on any product sold by us.")
        reply = responder_for(chat).reply(ReplyRequest(f"Hi, I'm {name}. Do gift cards expire?"))
        assert reply.grounded and reply.question == "Hi. Do gift cards expire?"
        prompts.append(chat.calls[0])
        assert name not in str(chat.calls[0])
    assert prompts[0] == prompts[1]  # the same answer whoever asks
