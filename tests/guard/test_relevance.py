"""A supported answer must also be about the question (``GroundingChecker.min_answer_relevance``):
a passage sentence about something else is ``off_topic``, in a whole reply and in a streamed
one, whose sentences are held back until one is on the question's topic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxrag.compose.context import Passage
from cxrag.embed.base import Embedder
from cxrag.guard.grounding import GroundingChecker
from cxrag.guard.streaming import GuardedStream
from tests.conftest import FakeEmbedder


def passage(n: int, doc: str, text: str, language: str = "en") -> Passage:
    return Passage(n, doc, f"{doc}#v-0", doc.title(), f"kb/{doc}.md", text, language, 1.0, 20)


PASSAGES = [
    passage(1, "gift-cards", "Gift cards never expire and can be used on any order."),
    passage(2, "returns", "Returns are free within thirty days of delivery."),
]
QUESTION = "Do gift cards expire?"
ON_TOPIC = "Gift cards never expire and can be used on any order."  # cosine 0.45 (fake)
OFF_TOPIC = "Returns are free within thirty days of delivery."  # cosine 0.18 (fake)
fake = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.3)


def test_a_supported_sentence_about_something_else_is_off_topic() -> None:
    g = fake.check(OFF_TOPIC, PASSAGES, question=QUESTION)
    assert not g.grounded and g.reason == "off_topic"
    assert g.supported == 1 and not g.unsupported  # the passage does say it
    assert g.relevance is not None and g.relevance < 0.3
    answered = fake.check(f"{OFF_TOPIC} {ON_TOPIC}", PASSAGES, question=QUESTION)
    assert answered.grounded and answered.reason is None
    assert answered.relevance is not None and answered.relevance >= 0.3


def test_without_a_question_or_with_the_rule_off_nothing_changes() -> None:
    assert fake.check(OFF_TOPIC, PASSAGES).grounded
    assert fake.check(OFF_TOPIC, PASSAGES).relevance is None
    off = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.0)
    assert off.check(OFF_TOPIC, PASSAGES, question=QUESTION).grounded
    stream = GuardedStream(off, PASSAGES, question=QUESTION)
    assert stream.feed(f"{OFF_TOPIC} Thanks") == [f"{OFF_TOPIC} [2]"]  # nothing held back
    assert stream.finish() == ["Thanks"] and stream.verdict().grounded


def test_one_off_topic_rule_for_whole_and_streamed_replies() -> None:
    off = GroundingChecker(FakeEmbedder(), min_answer_relevance=0.0)
    assert not off.off_topic(-0.5)  # rule off: even a sentence opposite to the question
    assert not fake.off_topic(None)  # no question
    assert fake.off_topic(0.29) and fake.off_topic(-1.0) and not fake.off_topic(0.3)


def test_a_stream_holds_sentences_until_one_is_on_topic() -> None:
    stream = GuardedStream(fake, PASSAGES, question=QUESTION)
    assert stream.feed(f"{OFF_TOPIC} ") == []  # passed, but held back
    assert stream.feed(f"{ON_TOPIC} Thanks") == [f"{OFF_TOPIC} [2]", f"{ON_TOPIC} [1]"]
    stream.finish()
    verdict = stream.verdict()
    assert verdict.grounded and [c.document_id for c in verdict.citations] == [
        "gift-cards", "returns"]


def test_an_off_topic_stream_shows_nothing() -> None:
    stream = GuardedStream(fake, PASSAGES, question=QUESTION)
    assert stream.feed(f"{OFF_TOPIC} ") == []
    assert stream.finish() == []
    verdict = stream.verdict()
    assert not verdict.grounded and verdict.reason == "off_topic" and verdict.answer == ""


# -- the real multilingual embedder and the shipped threshold -----------------------------------
@pytest.fixture(scope="module")
def real() -> Iterator[GroundingChecker]:
    from cxrag.embed.factory import build_embedder
    from cxrag.settings import EmbeddingSettings

    embedder: Embedder = build_embedder(EmbeddingSettings())
    yield GroundingChecker(embedder)  # the shipped, calibrated thresholds


DISCOUNT_EN = passage(3, "student-discount", "Tiendalia offers a 10% discount to college "
                      "students and to members of the US military on tiendalia.com.")
CANARIAS_ES = passage(4, "envios-canarias", "Los pedidos a Canarias se envían desde nuestro "
                      "almacén de Getafe con SEUR y tardan de 5 a 8 días hábiles.", "es")
RETURNS_EN = passage(5, "returns", "Returns are free within 30 days of delivery.")


@pytest.mark.slow
@pytest.mark.parametrize(("question", "reply", "passages", "language", "grounded"), [
    # what the golden set's unanswerable questions got from the model before the rule: a
    # passage sentence about something else (cosine to the question 0.12-0.17)
    ("buenas, estan contratando gente para el almacen de tepotzotlan? ando buscando chamba",
     "Los pedidos a Canarias se envían desde nuestro almacén de Getafe con SEUR.",
     [CANARIAS_ES], "es", False),
    ("Can you gift wrap my order and put a little note inside? It's a birthday present",
     "Returns are free within 30 days of delivery.", [RETURNS_EN], "en", False),
    # the same passages answering what was asked, in the passage's language and across
    # (0.32-0.65: a passage's own words answer a question in other words)
    ("Is there a student discount? I'm in college", "Yes: Tiendalia offers a 10% discount to "
     "college students and to members of the US military.", [DISCOUNT_EN], "en", True),
    ("¿cuántos días tarda un pedido a Canarias?", "Los pedidos a Canarias tardan de 5 a 8 días "
     "hábiles.", [CANARIAS_ES], "es", True),
    ("how long does an order to the Canary Islands take?", "Orders to the Canary Islands take "
     "5 to 8 business days.", [CANARIAS_ES], "en", True),
    ("¿Cuántos días tengo para devolver un pedido?", "Las devoluciones son gratuitas durante 30 "
     "días desde la entrega.", [RETURNS_EN], "es", True),
])
def test_off_topic_answers_with_the_real_embedder(real: GroundingChecker, question: str,
                                                  reply: str, passages: list[Passage],
                                                  language: str, grounded: bool) -> None:
    g = real.check(reply, passages, question=question, language=language,
                   languages=["es", "en"])
    assert g.supported == 1, g.reasons  # every reply is supported by its passage
    assert g.grounded is grounded, g.relevance
    assert g.reason == (None if grounded else "off_topic")

def test_a_draft_about_something_else_is_flagged_for_the_agent() -> None:
    from cxrag.reply.drafts import _actions

    flagged = _actions(1.0, True, [], "en", off_topic=True)
    assert flagged[0].startswith("Check that the draft answers the ticket")
    assert _actions(1.0, True, [], "en")[0] == "Review the cited articles and send the draft."


# -- the question's words a reply repeats must be the passage's too ------------------------------
def test_a_reply_that_takes_its_topic_from_the_question_is_unsupported() -> None:
    question = "Do gift cards expire if I buy them in a store?"
    borrowed = "Gift cards never expire and can be used on any order in a store."
    strict = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.3,
                              question_terms=True)
    g = strict.check(borrowed, PASSAGES, question=question)
    assert not g.grounded and g.reason == "unsupported"
    assert g.reasons == ["the question's 'store' not in passage 1"]
    off = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.3,
                           question_terms=False)
    assert off.check(borrowed, PASSAGES, question=question).grounded  # what the rule adds
    assert not fake.check(borrowed, PASSAGES, question=question).grounded  # on by default
    assert strict.check(borrowed, PASSAGES).grounded  # no question: nothing to compare with
    # the question's words the passage has are fine (relevance rule off: the fake embedder
    # puts this question and answer at 0.27)
    plain = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.0,
                             question_terms=True)
    assert plain.check(ON_TOPIC, PASSAGES, question=question).grounded
    assert not plain.check(borrowed, PASSAGES, question=question).grounded


def test_the_customers_case_around_the_question_may_be_repeated() -> None:
    """Only the asking sentence's words count: the customer's case told around it ("I bought
    them in a store.", "Tengo 81 años.") may be echoed by a right answer; the same word in
    the asking sentence is the topic, and must be the passage's."""
    strict = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.0,
                              question_terms=True)
    reply = "Gift cards never expire and can be used on any order in a store."
    told = strict.check(reply, PASSAGES, question="I bought them in a store. Do gift cards expire?")
    assert told.grounded, told.reasons
    asked = strict.check(reply, PASSAGES, question="Do gift cards bought in a store expire?")
    assert not asked.grounded and asked.reasons == ["the question's 'store' not in passage 1"]


def test_a_sentence_with_the_passages_figure_may_repeat_the_questions_words() -> None:
    """The question-terms rule is for claims with nothing to check ("yes, we offer X"): a
    sentence that states a figure is judged by the figure, whatever words of the customer's
    surround it ("ya hice mi pedido ... tengo 48 horas")."""
    question = "I already placed my order, how long do I have to return it?"
    strict = GroundingChecker(FakeEmbedder(), min_support=0.4, min_answer_relevance=0.0,
                              question_terms=True)
    figure = "Returns for an order already placed are free within 30 days of delivery."
    g = strict.check(figure, PASSAGES, question=question)
    assert g.grounded, g.reasons  # "placed" and "already" are the customer's words
    # the same sentence without its figure is a claim that the passage does not make
    plain = "Returns for an order already placed are free after delivery."
    g = strict.check(plain, PASSAGES, question=question)
    assert not g.grounded and g.reasons == [
        "the question's 'order', the question's 'already', the question's 'placed' not in "
        "passage 2"], g.reasons
    # and a figure the passage does not state is still caught by the figure checks
    assert not strict.check(figure.replace("30", "45"), PASSAGES, question=question).grounded


def test_the_customers_case_is_never_made_the_passages_condition() -> None:
    """The customer's case may be echoed ("I bought them in a store."), but not turned into
    the condition of a passage's rule that never mentions it: "If you bought them in a
    store, gift cards never expire" tells a customer the rule depends on their case. A
    condition made of the question's own words only sets the question up (the test below)."""
    strict = GroundingChecker(FakeEmbedder(), min_support=0.3, min_answer_relevance=0.0)
    question = "I bought them in a store. Do gift cards expire?"
    g = strict.check("If you bought them in a store, gift cards never expire.", PASSAGES,
                     question=question)
    assert not g.grounded
    assert g.reasons == ["the customer's case (bought, store) as a condition not in passage 1"]
    assert strict.check("Gift cards never expire.", PASSAGES, question=question).grounded
    # the reply fails whole, beside true sentences, streamed too (what was shown is replaced)
    tailored = "Gift cards never expire. If you bought them in a store, gift cards never expire."
    whole = strict.check(tailored, PASSAGES, question=question)
    assert not whole.grounded and whole.supported == 1
    stream = GuardedStream(strict, PASSAGES, question=question)
    stream.feed(tailored + " ")
    stream.finish()
    assert not stream.verdict().grounded and stream.verdict().answer == ""
    # the same condition is the passage's own when the passage states it
    own = [Passage(1, "kb/gc", "kb/gc#0", "Gift cards", "gc.md", "If you bought them in a "
                   "store, gift cards never expire.", "en", 1.0, 12)]
    assert strict.check("If you bought them in a store, gift cards never expire.", own,
                        question=question).grounded
    off = GroundingChecker(FakeEmbedder(), min_support=0.3, min_answer_relevance=0.0,
                           question_terms=False)
    assert off.check("If you bought them in a store, gift cards never expire.", PASSAGES,
                     question=question).grounded


def test_a_clause_that_sets_the_question_up_is_not_the_claim() -> None:
    """"To do what you asked, do this" is how answers are written: the question's words in
    a leading "to / if / when / para / si / cuando" clause are the set-up, the answer is
    what follows; the same words in the claim itself are still the topic."""
    question = "How do I keep gift cards from a store safe?"
    strict = GroundingChecker(FakeEmbedder(), min_support=0.4, min_answer_relevance=0.0)
    set_up = "To keep gift cards from a store safe, note that gift cards never expire."
    assert strict.check(set_up, PASSAGES, question=question).grounded
    claim = "Gift cards from a store are kept safe and never expire."
    g = strict.check(claim, PASSAGES, question=question)
    assert not g.grounded and "the question's 'store'" in g.reasons[0]


@pytest.mark.slow
@pytest.mark.parametrize(("question", "reply", "passages", "language", "word"), [
    # what the golden set's senior-discount question got from a softer prompt: a "yes" to
    # the question's premise, close to the student-discount passage, no figure to check
    ("Do you offer a senior discount? I'm 72 and most stores give me something",
     "Yes, Tiendalia offers a senior discount.", [DISCOUNT_EN], "en", "senior"),
    ("¿Tenéis envío urgente a Canarias?", "Sí, los pedidos urgentes a Canarias se envían con "
     "SEUR desde nuestro almacén de Getafe.", [CANARIAS_ES], "es", "urgentes"),
])
def test_question_premises_with_the_real_embedder(real: GroundingChecker, question: str,
                                                  reply: str, passages: list[Passage],
                                                  language: str, word: str) -> None:
    g = real.check(reply, passages, question=question, language=language,  # the default
                   languages=["es", "en"])
    assert not g.grounded and g.reason == "unsupported"
    assert g.reasons == [f"the question's '{word}' not in passage {passages[0].number}"]
    off = GroundingChecker(real.embedder, question_terms=False)
    assert off.check(
        reply, passages, question=question, language=language, languages=["es", "en"]).grounded


@pytest.mark.slow
@pytest.mark.parametrize(("question", "reply", "text", "language", "case"), [
    # the golden set's large-family question got the invoice article's rule, under the
    # customer's own card as its condition
    ("¿Tenéis algún descuento para familias numerosas? Tengo el carnet en vigor",
     "Si tienes el carnet en vigor, puedes pedir la factura completa desde Mis pedidos.",
     "Puedes pedir la factura completa desde Mis pedidos. Cada pedido tiene su propia factura.",
     "es", "carnet, vigor"),
    ("Do you have a discount for large families? I have a valid family card",
     "If you have a valid family card, you can request a full invoice from My orders.",
     "You can request a full invoice from My orders. Each order has its own invoice.",
     "en", "valid, card"),
])
def test_the_customers_case_as_a_condition_with_the_real_embedder(
        real: GroundingChecker, question: str, reply: str, text: str, language: str,
        case: str) -> None:
    invoice = Passage(1, "kb/invoice", "kb/invoice#0", "Invoice", "invoice.md", text, language,
                      1.0, 20)
    g = real.check(reply, [invoice], question=question, language=language,
                   languages=["es", "en"])
    assert not g.grounded
    assert g.reasons == [f"the customer's case ({case}) as a condition not in passage 1"]
    rule = reply.split(", ", 1)[1]
    assert real.check(rule[0].upper() + rule[1:], [invoice], question=question,
                      language=language, languages=["es", "en"]).supported == 1
