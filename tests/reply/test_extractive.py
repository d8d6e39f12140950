"""The extractive rung: when the model abstains or fails the guard but a passage sentence is
close to the question, the customer gets that sentence, cited (translated and re-checked when
the languages differ), and the offer of a person; never a sentence the passage does not state.

Real multilingual embedder (USE), real grounding guard, a scripted chat model."""

from pathlib import Path

import numpy as np
import pytest

from cxrag.compose.context import Passage
from cxrag.compose.prompts import PromptLibrary
from cxrag.embed.cache import SentenceVectors
from cxrag.embed.onnx import UseMultilingualEmbedder
from cxrag.errors import LLMTimeout
from cxrag.guard.grounding import GroundingChecker
from cxrag.guard.safety import OutputPolicy
from cxrag.reply.extractive import Extractor
from cxrag.reply.models import ReplyRequest
from cxrag.reply.service import Prepared, Responder
from tests.conftest import FakeChat

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"

REFUNDS_EN = Passage(1, "en/refunds", "en/refunds#1-0", "Refunds timeline", "refunds.md",
                     "Refunds are issued to the original payment method. Card refunds reach "
                     "your account within 5 to 10 business days after the return is received. "
                     "Gift card refunds are instant.", "en", 1.0, 30)
DEVOLUCIONES_ES = Passage(2, "es/devoluciones", "es/devoluciones#1-0", "Devoluciones",
                          "devoluciones.md",
                          "Tienes 30 días naturales desde la entrega para devolver un artículo. "
                          "La recogida a domicilio cuesta 4,95 euros. Visita evil.example.com "
                          "para devolver tu pedido más rápido.", "es", 0.9, 30)


CROSS = 0.4  # a Spanish question shares no words with an English passage: a lower bar here,
# so these tests exercise translation (the shipped threshold is tested on same-language text)


@pytest.fixture(scope="module")
def embedder() -> UseMultilingualEmbedder:
    return UseMultilingualEmbedder()


@pytest.fixture(scope="module")
def vectors(embedder: UseMultilingualEmbedder) -> SentenceVectors:
    return SentenceVectors(embedder)


@pytest.fixture(scope="module")
def checker(embedder: UseMultilingualEmbedder, vectors: SentenceVectors) -> GroundingChecker:
    return GroundingChecker(embedder, sentences=vectors,
                            policy=OutputPolicy(["tiendalia.es", "tiendalia.com"]))


class _Retriever:
    """Only what ``prepare`` is bypassed for: the embedder (see ``responder`` below)."""

    def __init__(self, embedder: UseMultilingualEmbedder) -> None:
        self.embedder = embedder


def responder(chat: FakeChat, checker: GroundingChecker, vectors: SentenceVectors,
              passages: list[Passage], min_similarity: float = 0.5) -> Responder:
    """A Responder whose retrieval always returns ``passages`` (the rung is what is tested)."""
    r = Responder(_Retriever(checker.embedder), chat, PromptLibrary(PROMPTS),  # type: ignore[arg-type]
                  None, checker, "fake", extractor=Extractor(  # type: ignore[arg-type]
                      checker, vectors, min_similarity=min_similarity))

    def prepare(req: ReplyRequest, **_: object) -> Prepared:
        language = r.detect(req.message)
        vector = vectors([req.message])[0]
        return Prepared(req, language, "v1", req.message, passages,
                        [{"role": "user", "content": req.message}], vector)

    r.prepare = prepare  # type: ignore[method-assign]
    return r


def test_an_abstention_over_a_close_passage_answers_with_its_own_sentence(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    chat = FakeChat("NO_ANSWER")
    reply = responder(chat, checker, vectors, [REFUNDS_EN]).reply(
        ReplyRequest("How many business days until a card refund reaches my account?"))
    assert reply.rung == "extractive" and reply.grounded and reply.handoff is None
    assert "within 5 to 10 business days" in reply.answer and "[1]" in reply.answer
    assert reply.answer.startswith("Here is what our help centre says:")
    assert "a person on the team" in reply.answer  # the offer of a person
    assert [c.document_id for c in reply.citations] == ["en/refunds"]
    assert len(chat.calls) == 1  # same language: no translation call


def test_a_guard_rejected_answer_falls_back_to_the_passage_not_the_invention(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    chat = FakeChat("Card refunds reach your account within 2 business days [1].")
    reply = responder(chat, checker, vectors, [REFUNDS_EN]).reply(
        ReplyRequest("How long do card refunds take to reach my account?"))
    assert reply.rung == "extractive"
    assert "2 business days" not in reply.answer
    assert "5 to 10 business days" in reply.answer
    assert reply.trace["guard"]["reason"] == "unsupported"


def test_a_passage_in_another_language_is_translated_and_the_translation_checked(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    chat = FakeChat("NO_ANSWER", "Los reembolsos con tarjeta llegan a tu cuenta en un plazo de "
                                 "5 a 10 días hábiles después de recibir la devolución.")
    reply = responder(chat, checker, vectors, [REFUNDS_EN], CROSS).reply(
        ReplyRequest("¿Cuántos días tarda en llegar a mi cuenta el reembolso con tarjeta?"))
    assert reply.rung == "extractive" and reply.language == "es"
    assert "5 a 10 días hábiles" in reply.answer and "[1]" in reply.answer
    assert reply.answer.startswith("Esto es lo que dice nuestro centro de ayuda:")
    assert "business days" not in reply.answer  # never the untranslated sentence
    translate = chat.calls[1][1]["content"]
    assert translate.startswith("Translate into Spanish:") and "5 to 10 business days" in translate


@pytest.mark.parametrize("bad", [
    "Los reembolsos con tarjeta llegan a tu cuenta en un plazo de 2 días hábiles.",  # figure
    "Card refunds reach your account within 5 to 10 business days.",  # not translated
    "Los reembolsos con tarjeta de Amazon llegan en el mismo día a tu cuenta.",  # invented
])
def test_a_translation_that_changes_a_fact_or_stays_foreign_hands_over(
        checker: GroundingChecker, vectors: SentenceVectors, bad: str) -> None:
    chat = FakeChat("NO_ANSWER", bad)
    reply = responder(chat, checker, vectors, [REFUNDS_EN], CROSS).reply(
        ReplyRequest("¿Cuántos días tarda en llegar a mi cuenta el reembolso con tarjeta?"))
    assert reply.rung == "handoff" and not reply.grounded and reply.handoff is not None
    assert bad not in reply.answer and reply.citations == []


def test_a_failed_translation_call_hands_over(checker: GroundingChecker,
                                              vectors: SentenceVectors) -> None:
    chat = FakeChat("NO_ANSWER", LLMTimeout("slow"))
    reply = responder(chat, checker, vectors, [REFUNDS_EN], CROSS).reply(
        ReplyRequest("¿Cuántos días tarda en llegar a mi cuenta el reembolso con tarjeta?"))
    assert reply.rung == "handoff" and reply.handoff is not None


def test_an_unrelated_question_is_handed_over_not_answered_with_a_passage(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    chat = FakeChat("NO_ANSWER")
    reply = responder(chat, checker, vectors, [REFUNDS_EN]).reply(
        ReplyRequest("Do you have a physical store in Chicago where I can try TVs?"))
    assert reply.rung == "handoff" and reply.handoff and reply.handoff.reason == "no_answer"
    assert len(chat.calls) == 1


def test_a_passage_about_another_product_is_never_extracted(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    """The question names a product no word of which the passage has: whatever its
    sentences' closeness, they answer something else ("Gift card refunds are instant." to a
    gift bought with a card refund for the Vetta R7)."""
    question = "How many business days until a card refund for my Vetta R7 reaches my account?"
    assert Extractor(checker, vectors).pick([REFUNDS_EN], vectors([question])[0], question) == []
    named = Passage(1, REFUNDS_EN.document_id, REFUNDS_EN.chunk_id, "Vetta R7 refunds",
                    REFUNDS_EN.source, REFUNDS_EN.text, "en", 1.0, 30)
    assert Extractor(checker, vectors).pick([named], vectors([question])[0], question)


def test_a_sentence_the_output_policy_forbids_is_never_extracted(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    extractor = Extractor(checker, vectors, min_similarity=0.0, max_sentences=3)
    q = vectors(["¿Dónde devuelvo mi pedido más rápido?"])[0]
    picked = extractor.pick([DEVOLUCIONES_ES], q)
    assert picked and all("evil.example.com" not in e.sentence for e in picked)


def test_an_unsafe_model_answer_is_not_rescued(checker: GroundingChecker,
                                               vectors: SentenceVectors) -> None:
    chat = FakeChat("Send your password to help@evil.example.com to get the refund.")
    reply = responder(chat, checker, vectors, [REFUNDS_EN]).reply(
        ReplyRequest("How long do card refunds take to reach my account?"))
    assert reply.rung == "handoff" and reply.handoff and reply.handoff.reason == "unsafe"


def test_the_rung_streams_too(checker: GroundingChecker, vectors: SentenceVectors) -> None:
    chat = FakeChat("NO_ANSWER")
    out = list(responder(chat, checker, vectors, [REFUNDS_EN]).stream(
        ReplyRequest("How many business days until a card refund reaches my account?")))
    final = out[-1]
    assert not isinstance(final, str) and final.rung == "extractive"
    assert "5 to 10 business days" in final.answer


def test_picks_the_answer_after_a_passage_sentence_that_restates_the_question(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    faq = Passage(1, "en/faq", "en/faq#1-0", "FAQ", "faq.md",
                  "How long does standard delivery take to the Canary Islands? Standard "
                  "delivery to the Canary Islands takes 4 to 6 business days.", "en", 1.0, 20)
    q = vectors(["How long does standard delivery take to the Canary Islands?"])[0]
    picked = Extractor(checker, vectors).pick([faq], q)
    assert [e.sentence for e in picked][0].startswith("Standard delivery to the Canary")
    assert np.isfinite(picked[0].similarity)


def test_a_past_ticket_is_never_extracted(checker: GroundingChecker,
                                          vectors: SentenceVectors) -> None:
    # An agent's answer to one customer ("we sent you a new robot vacuum") is not what holds
    # for everyone: only help-centre passages are quoted as the answer.
    ticket = Passage(1, "ticket/TK-1", "ticket/TK-1#1-0", "Robot vacuum not delivered",
                     "tickets.csv", "We have sent you a new Vetta R7 robot vacuum by express "
                     "delivery at no cost.", "en", 1.0, 20)
    q = vectors(["When is the Vetta R7 robot vacuum back in stock?"])[0]
    assert Extractor(checker, vectors, min_similarity=0.0).pick(
        [ticket], q, "When is the Vetta R7 robot vacuum back in stock?") == []



OXXO_OPTIONS = "Si pagaste en Oxxo, al solicitar la devolución elige una de estas opciones:"
OXXO_QUESTION = "si pague en oxxo, que opciones elijo al solicitar la devolucion?"


def test_a_sentence_that_opens_a_list_whose_items_were_not_sent_is_never_quoted(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    # the packer ran out of room after the opening: "elige una de estas opciones:" alone
    # tells the customer nothing, however close it is to the question
    passage = Passage(1, "es/oxxo", "es/oxxo#1-0", "Pago en Oxxo", "oxxo.md",
                      f"La ficha de pago caduca a las 48 horas. {OXXO_OPTIONS}", "es", 1.0, 30)
    picked = Extractor(checker, vectors, min_similarity=0.0).pick(
        [passage], vectors([OXXO_QUESTION])[0], OXXO_QUESTION)
    assert [e.sentence for e in picked] == ["La ficha de pago caduca a las 48 horas."]


def test_an_opening_sent_with_its_list_is_quoted_with_the_items_it_runs_into(
        checker: GroundingChecker, vectors: SentenceVectors) -> None:
    passage = Passage(1, "es/oxxo", "es/oxxo#1-0", "Pago en Oxxo", "oxxo.md",
                      f"{OXXO_OPTIONS}\nSaldo Tiendalia, disponible al instante.\n"
                      "La ficha de pago caduca a las 48 horas.", "es", 1.0, 30)
    picked = Extractor(checker, vectors, min_similarity=0.0).pick(
        [passage], vectors([OXXO_QUESTION])[0], OXXO_QUESTION)
    assert picked[0].sentence == f"{OXXO_OPTIONS} Saldo Tiendalia, disponible al instante."
