"""Personalised answers from the customer's own orders: the order the question is about, and
what the store says of it, in the customer's language; never another customer's data."""

from pathlib import Path

import pytest

from cxrag.compose.context import ContextPacker, Passage
from cxrag.compose.prompts import PromptLibrary
from cxrag.guard.grounding import GroundingChecker
from cxrag.knowledge import Knowledge
from cxrag.reply.account import (
    OrderFact,
    asked_period,
    asks_status,
    mentioned_order,
    order_sentence,
    period_lines,
    period_quote,
)
from cxrag.reply.models import CustomerContext, ReplyRequest
from cxrag.reply.service import Responder
from cxrag.retrieve.hybrid import SearchHit
from tests.conftest import FakeChat

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
TV = OrderFact("TL-US-2026-002004", ('Arden 65" 4K TV',), "delivered", "2026-10-02", "UPS")
FRYER = OrderFact("TL-MX-2026-002356", ("Freidora de aire Vetta 5.5 L",), "shipped",
                  "2026-09-01", "Estafeta")


@pytest.mark.parametrize(("question", "expected"), [
    ("can i still return the tv i got last month?", TV),
    ("que tal, me pueden decir por donde va mi freidora? ya la pague en el oxxo", FRYER),
    ("¿Dónde está mi pedido?", TV),  # no item named: the latest order
    ("hey where is my package??", TV),
    ("Do gift cards expire?", None),  # not about an order
    ("¿Cuánto cuesta el envío a Canarias?", None),
])
def test_the_order_a_question_is_about(question: str, expected: OrderFact | None) -> None:
    assert mentioned_order(question, [TV, FRYER]) == expected


def test_the_order_sentence_speaks_the_customer_language() -> None:
    assert order_sentence(FRYER, "es") == ("Tu pedido TL-MX-2026-002356 (Freidora de aire Vetta "
                                           "5.5 L), del 2026-09-01: enviado, con Estafeta.")
    assert order_sentence(TV, "en") == ('Your order TL-US-2026-002004 (Arden 65" 4K TV), placed '
                                        "2026-10-02: delivered, with UPS.")


@pytest.fixture
def responder(knowledge: Knowledge, sample_kb: Path):  # type: ignore[no-untyped-def]
    assert knowledge.get().ingestor.run([sample_kb]).ok

    def make(chat: FakeChat) -> Responder:
        return Responder(knowledge.get().retriever, chat, PromptLibrary(PROMPTS),
                         ContextPacker(600),
                         GroundingChecker(knowledge.embedder, 0.5, min_answer_relevance=0.0),
                         "fake-model")
    return make


def _customer(*orders: OrderFact) -> CustomerContext:
    return CustomerContext("C9", "Luis", None, "es-MX", ("Order ...",), 0, orders)


def test_an_order_question_the_passages_cannot_answer_gets_the_order_status(responder) -> None:  # type: ignore[no-untyped-def]
    reply = responder(FakeChat("NO_ANSWER")).reply(ReplyRequest(
        "me pueden decir por donde va mi freidora?", customer=_customer(TV, FRYER)))
    assert reply.rung == "account" and reply.handoff is None and reply.citations == []
    assert reply.answer.startswith("Tu pedido TL-MX-2026-002356")
    assert "enviado, con Estafeta" in reply.answer and "persona del equipo" in reply.answer


@pytest.mark.parametrize(("question", "status"), [
    ("que tal, me pueden decir por donde va mi freidora? ya la pague en el oxxo", True),
    ("hey where is my air fryer?? ordered it at the start of september", True),
    ("did my cancellation go thru for the vacuum + air fryer order?", True),
    ("¿Ya llegó mi pedido?", True),
    ("can i still return the tv i got last month? its way too big lol", False),
    # the customer's case around the question is no question: "arrived", "llegó" in it
    ("Hi, my monitor (the one that arrived in June) flickers. Is it still under warranty?",
     False),
    ("hola, la cafetera que me llego en agosto no muele. sigue en garantia verdad?", False),
])
def test_which_questions_the_order_status_answers(question: str, status: bool) -> None:
    assert asks_status(question) is status


def test_an_order_question_the_status_does_not_answer_is_handed_over_with_the_order(
        responder) -> None:  # type: ignore[no-untyped-def]
    """'Can I still return the TV?' is not answered by 'delivered, with UPS': when the
    passages give nothing, a person takes it, and the customer sees the order line first."""
    reply = responder(FakeChat("NO_ANSWER")).reply(ReplyRequest(
        "¿Puedo devolver todavía la freidora?", customer=_customer(TV, FRYER)))
    assert reply.rung == "handoff" and reply.handoff is not None and not reply.grounded
    assert reply.answer.startswith("Tu pedido TL-MX-2026-002356")
    assert "persona del equipo" in reply.answer


def test_a_grounded_answer_opens_with_the_order(responder) -> None:  # type: ignore[no-untyped-def]
    chat = FakeChat("Tienes 30 días naturales para devolver un pedido.")
    reply = responder(chat).reply(ReplyRequest(
        "¿Puedo devolver todavía la freidora?", customer=_customer(FRYER)))
    assert reply.rung == "generated" and reply.grounded
    assert reply.answer.startswith("Tu pedido TL-MX-2026-002356") and "30 días" in reply.answer


def test_no_order_no_customer_or_an_escalation_leave_the_reply_alone(responder) -> None:  # type: ignore[no-untyped-def]
    make = responder
    anonymous = make(FakeChat("NO_ANSWER")).reply(ReplyRequest("¿Dónde está mi freidora?"))
    assert anonymous.rung == "handoff" and "TL-" not in anonymous.answer
    other = make(FakeChat("NO_ANSWER")).reply(ReplyRequest(
        "¿Las tarjetas regalo caducan?", customer=_customer(FRYER)))
    assert other.rung == "handoff" and "TL-" not in other.answer
    legal = make(FakeChat("NO_ANSWER")).reply(ReplyRequest(
        "Mi freidora no llega y voy a denunciaros, quiero hablar con un abogado",
        customer=_customer(FRYER)))
    assert legal.rung == "escalated" and "TL-MX" not in legal.answer


def _passage(number: int, text: str, language: str = "es") -> Passage:
    return Passage(number, f"doc{number}", f"doc{number}#v-0", "Garantía", "kb/g.md", text,
                   language, 1.0, 10)


SPAIN = "Productos nuevos: 3 años de garantía legal desde la entrega, según la normativa."
MEXICO = "Productos nuevos: la garantía del fabricante, 12 meses desde la entrega."
RETURNS = "Tienes 30 días naturales desde la entrega para devolver un pedido."


@pytest.mark.parametrize(("question", "passages", "expected"), [
    # One period on the asked topic, counted from delivery: quoted.
    ("la cafetera que me llegó en agosto ha dejado de moler. sigue en garantia verdad?",
     [_passage(1, f"Defectos de fabricación cubiertos. {SPAIN}")], SPAIN),
    ("¿Puedo devolver todavía la freidora?", [_passage(1, SPAIN), _passage(2, RETURNS)],
     RETURNS),
    # Two periods for the topic (two countries' sections): no choice is made.
    ("¿sigue en garantía mi cafetera?", [_passage(1, f"{SPAIN} {MEXICO}")], None),
    # Not a "still" question, another topic, or passages in another language.
    ("¿Cómo pido la garantía de mi cafetera?", [_passage(1, SPAIN)], None),
    ("¿sigue en garantía mi cafetera?", [_passage(1, RETURNS)], None),
    ("¿sigue en garantía mi cafetera?", [_passage(1, SPAIN, "en")], None),
])
def test_the_period_a_still_question_needs_is_quoted_only_when_it_is_one(
        question: str, passages: list[Passage], expected: str | None) -> None:
    quote = period_quote(question, passages, "es")
    assert (quote[1] if quote else None) == expected


def test_a_still_question_gets_the_order_and_the_period_even_when_the_model_fails(
        responder, sample_kb: Path, knowledge: Knowledge) -> None:  # type: ignore[no-untyped-def]
    """"Is it still under warranty?": the order's date and the period from delivery, cited,
    with the offer of a person, rather than a bare handoff."""
    make = responder(FakeChat("NO_ANSWER"))
    (sample_kb / "es" / "garantia-legal.md").write_text(
        "# Garantía legal de las freidoras\n\nLas freidoras de aire tienen 3 años de garantía "
        "legal desde la entrega del pedido.\n", encoding="utf-8")
    assert knowledge.get().ingestor.run([sample_kb]).ok
    reply = make.reply(ReplyRequest("¿Mi freidora de aire sigue en garantía legal?",
                                    customer=_customer(FRYER)))
    assert reply.rung == "account" and reply.handoff is None and reply.grounded
    assert reply.answer.startswith("Tu pedido TL-MX-2026-002356")
    assert "3 años de garantía legal desde la entrega" in reply.answer
    assert "persona del equipo" in reply.answer
    number = reply.citations[0].number
    assert f"[{number}]" in reply.answer
    assert reply.citations[0].document_id == "es/garantia-legal"


STANDARD = "Clientes estándar: 30 días naturales desde la entrega para devolver."
MEMBERS = "Socios Tiendalia Plus: 45 días naturales desde la entrega para devolver."


@pytest.mark.parametrize(("tier", "expected"), [
    ("standard", STANDARD), ("plus", MEMBERS),
    (None, None),  # not known: two periods, no choice is made
    ("business", None),  # a tier no sentence names: both are its, so no choice either
])
def test_the_period_quoted_is_the_customers_tier(tier: str | None, expected: str | None) -> None:
    quote = period_quote("¿Puedo devolver todavía la freidora?",
                         [_passage(1, f"{STANDARD} {MEMBERS}")], "es", tier)
    assert (quote[1] if quote else None) == expected


def _hit(document_id: str, text: str, headings: tuple[str, ...], language: str = "es") -> SearchHit:
    return SearchHit(document_id, f"{document_id}#v-0", headings[0], f"kb/{document_id}.md", 1.0,
                     text, language, "article", headings, (), None, "2026-06-12")


RETURNS_POLICY = _hit("es/politica-de-devoluciones",
                      "Plazo para devolver\nClientes estándar: 30 días naturales desde la entrega."
                      "\nSocios Tiendalia Plus: 45 días naturales desde la entrega.\nEspaña\n"
                      "La recogida a domicilio cuesta 4,95 €.", ("Política de devoluciones",))
BY_COUNTRY = _hit("es/garantia", "España\nProductos nuevos: 3 años de garantía legal desde la "
                  "entrega.\nReacondicionados: 1 año desde la entrega.\nMéxico\n"
                  "Productos nuevos: 12 meses de garantía desde la entrega.",
                  ("Garantía de los productos",))


STANDARD_LINE = "Plazo para devolver — Clientes estándar: 30 días naturales desde la entrega."
MEMBERS_LINE = "Plazo para devolver — Socios Tiendalia Plus: 45 días naturales desde la entrega."


@pytest.mark.parametrize(("question", "hits", "tier", "country", "expected"), [
    # the heading names the topic, the tier picks the line: labelled with its heading
    ("¿Puedo devolver todavía la freidora?", [RETURNS_POLICY], "standard", "ES",
     [STANDARD_LINE]),
    ("¿Cuántos días tengo para devolver una freidora?", [RETURNS_POLICY], "plus", None,
     [MEMBERS_LINE]),
    # no tier known: every tier's line
    ("¿Cuántos días tengo para devolver una freidora?", [RETURNS_POLICY], None, None,
     [STANDARD_LINE, MEMBERS_LINE]),
    # the customer's country picks the section (a line whose section heading is only a
    # country, "España", does not name the topic)
    ("¿Sigue en garantía mi freidora?", [BY_COUNTRY], None, "MX",
     ["Productos nuevos: 12 meses de garantía desde la entrega."]),
    ("¿Sigue en garantía mi freidora?", [BY_COUNTRY], None, "ES",
     ["Productos nuevos: 3 años de garantía legal desde la entrega."]),
    # not a question about a period ("how long does it take" is not one); another language
    ("¿Cómo devuelvo la freidora?", [RETURNS_POLICY], "standard", "ES", None),
    ("¿Cuánto tiempo tarda una devolución?", [RETURNS_POLICY], "standard", "ES", None),
    ("can i still return the fryer?", [RETURNS_POLICY], "standard", "ES", None),
])
def test_the_period_lines_of_a_policy_search(question: str, hits: list[SearchHit],
                                             tier: str | None, country: str | None,
                                             expected: list[str] | None) -> None:
    found = period_lines(question, hits, "en" if question.startswith("can") else "es", tier,
                         country)
    assert (found[1] if found else None) == expected


def test_a_period_question_finds_the_period_its_own_search_ranked_out(
        knowledge: Knowledge, sample_kb: Path) -> None:
    """"Can I still return the air fryer?": the product's page is what the question finds;
    the returns policy, found by the version's search for the return period, comes as one
    more passage, and its standard-customer line is quoted with the order (not the Plus
    one), cited to the policy, even when the model gives nothing."""
    (sample_kb / "es" / "freidora.md").write_text(
        "# Freidora de aire Vetta 5.5 L\n\nLa freidora de aire Vetta tiene 5,5 litros de "
        "capacidad y cesta antiadherente. Se puede devolver la cesta por separado como "
        "recambio.\n", encoding="utf-8")
    (sample_kb / "es" / "politica-de-devoluciones.md").write_text(
        "# Política de devoluciones\n\n## Plazo para devolver\n\n- **Clientes estándar:** 30 "
        "días naturales desde la entrega.\n- **Socios Tiendalia Plus:** 45 días naturales desde "
        "la entrega.\n", encoding="utf-8")
    assert knowledge.get().ingestor.run([sample_kb]).ok
    responder = Responder(knowledge.get().retriever, FakeChat("NO_ANSWER"),
                          PromptLibrary(PROMPTS), ContextPacker(60, max_passages=1),
                          GroundingChecker(knowledge.embedder, 0.5, min_answer_relevance=0.0),
                          "fake-model")
    customer = CustomerContext("C9", "Luis", "standard", "es-ES", ("Order ...",), 0, (FRYER,),
                               "ES")
    request = ReplyRequest("¿Puedo devolver todavía la freidora?", customer=customer)
    prepared = responder.prepare(request)
    added = prepared.passages[-1]
    assert added.document_id == "es/politica-de-devoluciones"
    assert added.number == len(prepared.passages)
    # the model gives nothing: the order, then the policy's line for a standard customer,
    # cited, with the offer of a person (the passage's own words: the extractive rung)
    reply = responder.reply(request)
    assert reply.rung == "extractive" and reply.handoff is None and reply.grounded
    assert reply.answer.startswith("Tu pedido TL-MX-2026-002356")
    assert f"Clientes estándar: 30 días naturales desde la entrega. [{added.number}]" in \
        reply.answer
    assert "45 días" not in reply.answer and "persona del equipo" in reply.answer
    assert [c.document_id for c in reply.citations] == ["es/politica-de-devoluciones"]
    # without a customer, every tier's line; a question about no period: nothing more
    anonymous = responder.prepare(ReplyRequest("¿Cuántos días tengo para devolver la freidora?"))
    assert anonymous.passages[-1].text == (
        "Plazo para devolver — Clientes estándar: 30 días naturales desde la entrega. Plazo "
        "para devolver — Socios Tiendalia Plus: 45 días naturales desde la entrega.")
    assert "es/politica-de-devoluciones" not in [p.document_id for p in responder.prepare(
        ReplyRequest("¿Cómo devuelvo la cesta de la freidora?")).passages]
    anonymous_reply = responder.reply(ReplyRequest(
        "¿Cuántos días tengo para devolver la freidora?"))
    assert anonymous_reply.rung == "extractive" and "TL-" not in anonymous_reply.answer
    assert anonymous_reply.answer == (
        f"Esto es lo que dice nuestro centro de ayuda: {anonymous.passages[-1].text} "
        f"[{anonymous.passages[-1].number}] Si no resuelve tu duda, te paso con una persona del "
        "equipo.")
    # a grounded answer from the model is left as it is
    answered = Responder(knowledge.get().retriever, FakeChat(
        "Tienes 30 días naturales desde la entrega."), PromptLibrary(PROMPTS),
        ContextPacker(60, max_passages=1),
        GroundingChecker(knowledge.embedder, 0.5, min_answer_relevance=0.0),
        "fake-model").reply(ReplyRequest("¿Cuántos días tengo para devolver la freidora?"))
    assert answered.rung == "generated" and not answered.answer.startswith("Esto es lo")


@pytest.mark.parametrize(("question", "topic"), [
    ("can i still return the tv i got last month?", "return"),
    ("im a plus member, how long do i have to send back a blender", "return"),
    ("hola, cuantos dias tengo pa devolver una freidora?", "return"),
    ("¿Hasta cuándo cubre la garantía de mi cafetera?", "warranty"),
    ("¿Sigue en garantía?", "warranty"),
    # how long something takes, or no period at all
    ("how long does a return take to process?", None),
    ("¿Cuánto tiempo tarda el reembolso de una devolución?", None),
    ("¿Cómo devuelvo un pedido?", None),
])
def test_which_questions_ask_for_a_period(question: str, topic: str | None) -> None:
    assert asked_period(question) == topic
