"""Cross-language replies through the passages' language: the question is translated into
the passages' language, answered there, and the answer translated back and checked by the
guard (real multilingual embedder, scripted model)."""

from pathlib import Path

import pytest

from cxrag.compose.context import Passage
from cxrag.compose.prompts import PromptLibrary
from cxrag.embed.cache import SentenceVectors
from cxrag.embed.onnx import UseMultilingualEmbedder
from cxrag.errors import LLMTimeout
from cxrag.guard.grounding import GroundingChecker
from cxrag.reply.models import ReplyRequest
from cxrag.reply.pivot import pivot_language
from cxrag.reply.service import Prepared, Responder
from tests.conftest import FakeChat

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
REFUNDS_EN = Passage(1, "en/refunds", "en/refunds#1-0", "Refunds timeline", "refunds.md",
                     "Card refunds reach your account within 5 to 10 business days after the "
                     "return is received.", "en", 1.0, 30)
DEVOLUCIONES_ES = Passage(2, "es/devoluciones", "es/devoluciones#1-0", "Devoluciones", "d.md",
                          "Tienes 30 días naturales para devolver un pedido.", "es", 0.9, 12)
QUESTION = "¿Cuántos días tarda en llegar a mi cuenta el reembolso con tarjeta?"


@pytest.fixture(scope="module")
def checker() -> GroundingChecker:
    embedder = UseMultilingualEmbedder()
    return GroundingChecker(embedder, sentences=SentenceVectors(embedder))


def responder(chat: FakeChat, checker: GroundingChecker, passages: list[Passage],
              pivot: bool = True) -> Responder:
    r = Responder(None, chat, PromptLibrary(PROMPTS), None, checker,  # type: ignore[arg-type]
                  "fake", pivot=pivot)

    def prepare(req: ReplyRequest, **_: object) -> Prepared:
        messages = r.prompts.get("answer", "v1").render(
            question=req.message, language="Spanish", customer=None, history=[],
            passages=[{"title": p.title, "text": p.text} for p in passages])
        return Prepared(req, r.detect(req.message), "v1", req.message, passages, messages)

    r.prepare = prepare  # type: ignore[method-assign]
    return r


def test_the_pivot_language_is_the_passages_one_when_it_is_the_other() -> None:
    assert pivot_language([REFUNDS_EN], "es", ["es", "en"]) == "en"
    assert pivot_language([DEVOLUCIONES_ES], "es", ["es", "en"]) is None
    assert pivot_language([REFUNDS_EN, DEVOLUCIONES_ES], "es", ["es", "en"]) is None


@pytest.mark.parametrize("streamed", [False, True])
def test_a_spanish_question_over_an_english_passage_is_answered_in_spanish(
        checker: GroundingChecker, streamed: bool) -> None:
    chat = FakeChat("How many days until a card refund reaches my account?",
                    "Card refunds reach your account within 5 to 10 business days [1].",
                    "Los reembolsos con tarjeta llegan a tu cuenta en 5 a 10 días hábiles [1].")
    r = responder(chat, checker, [REFUNDS_EN])
    if streamed:
        out = list(r.stream(ReplyRequest(QUESTION)))
        reply = out[-1]
        assert not isinstance(reply, str)
        assert "".join(x for x in out[:-1] if isinstance(x, str)).strip()
    else:
        reply = r.reply(ReplyRequest(QUESTION))
    assert reply.rung == "generated" and reply.grounded and reply.language == "es"
    assert "5 a 10 días hábiles" in reply.answer and "[1]" in reply.answer
    assert [c.document_id for c in reply.citations] == ["en/refunds"]
    asked, answered, back = (c[-1]["content"] for c in chat.calls)
    assert asked.startswith("Translate into English:") and QUESTION in asked
    assert "How many days until a card refund" in answered and "[1] Refunds timeline" in answered
    assert back.startswith("Translate into Spanish:") and "5 to 10 business days" in back


def test_a_translation_that_changes_the_figure_is_not_shown(checker: GroundingChecker) -> None:
    chat = FakeChat("How many days until a card refund reaches my account?",
                    "Card refunds reach your account within 5 to 10 business days [1].",
                    "Los reembolsos con tarjeta llegan a tu cuenta en 2 días hábiles [1].")
    reply = responder(chat, checker, [REFUNDS_EN]).reply(ReplyRequest(QUESTION))
    assert "2 días" not in reply.answer and reply.rung != "generated"


def test_no_answer_in_the_pivot_language_is_no_answer(checker: GroundingChecker) -> None:
    chat = FakeChat("How many days until a card refund reaches my account?", "NO_ANSWER")
    reply = responder(chat, checker, [REFUNDS_EN]).reply(ReplyRequest(QUESTION))
    assert reply.trace["guard"]["reason"] == "no_answer" and len(chat.calls) == 2


def test_a_failed_translation_gives_the_fallback_not_an_error(checker: GroundingChecker) -> None:
    reply = responder(FakeChat(LLMTimeout("slow")), checker, [REFUNDS_EN]).reply(
        ReplyRequest(QUESTION))
    assert reply.rung == "fallback" and reply.handoff is not None


def test_off_it_asks_the_model_once(checker: GroundingChecker) -> None:
    chat = FakeChat("NO_ANSWER")
    responder(chat, checker, [REFUNDS_EN], pivot=False).reply(ReplyRequest(QUESTION))
    assert len(chat.calls) == 1
