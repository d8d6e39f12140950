"""Polarity near misses: a reply sentence that says the opposite of its passage ("no sigue en
garantía" over "3 años de garantía", "gift cards can be returned" over "cannot be
returned") reads almost like it to the embedder, and was cited. The guard now refuses it,
saying why, in Spanish, English and across the two, while faithful negations, conditions
("if you don't ...") and "no charge" for "free" stay supported."""

from __future__ import annotations

import pytest

from cxrag.compose.context import Passage
from cxrag.guard.grounding import GroundingChecker, flipped, negated
from tests.guard.conftest import passage

LANGUAGES = ["es", "en"]

WARRANTY_ES = passage(1, "Garantía de productos", "Todos los productos nuevos tienen 3 años de "
                      "garantía legal desde la entrega. Solicita la garantía en Mis pedidos > "
                      "Solicitar garantía.", "es")
GIFT_EN = passage(2, "Gift cards", "Gift cards cannot be returned once the code has been sent. "
                  "You can buy up to 10 gift cards per order.", "en")
PAYMENT_ES = passage(3, "Métodos de pago", "Aceptamos tarjetas Visa, Mastercard y American "
                     "Express, PayPal y Bizum. No aceptamos pago contra reembolso.", "es")
ROUTER_ES = passage(4, "Baja de la fibra", "Si das de baja el servicio, tienes 30 días para "
                    "devolver el router en cualquier tienda; si no lo devuelves, se cobra una "
                    "penalización de 60 €.", "es")
QR_ES = passage(6, "Cómo devolver", "Recibirás un código QR por email. Enséñalo en el punto de "
                "entrega; no hay que imprimir nada. El QR es válido durante 14 días.", "es")
# a heading run into its text, as some exports give it
REFUND_ES = passage(7, "Plazos de reembolso", "No me ha llegado el reembolso Comprueba que han "
                    "pasado 10 días hábiles desde el email de confirmación.", "es")
KEYBOARD_EN = passage(8, "On-screen keyboard", "If you do not have a keyboard attached to your "
                      "computer or prefer not to use it, you can turn on the on-screen keyboard "
                      "to enter text.", "en")
LOST_ES = passage(9, "Tarjetas regalo", "Si una tarjeta se pierde y el código no se ha "
                  "canjeado, contáctanos: la bloquearemos y emitiremos un código nuevo.", "es")
FLEX_ES = passage(5, "Cambiar tu vuelo", "Con la tarifa Classic el cambio cuesta 50 € por "
                  "trayecto; con la tarifa Flex no hay cargo por cambio.", "es")

FAITHFUL = [
    (WARRANTY_ES, "es", "Tu cafetera tiene 3 años de garantía legal desde la entrega."),
    (WARRANTY_ES, "en", "Your coffee machine has a 3-year legal warranty from delivery."),
    (GIFT_EN, "en", "Gift cards can't be returned once the code has been sent."),
    (GIFT_EN, "es", "Las tarjetas regalo no se pueden devolver una vez enviado el código."),
    (PAYMENT_ES, "en", "Cash on delivery is not accepted."),
    # a condition negates nothing, in the passage or in the sentence
    (ROUTER_ES, "es", "Tienes 30 días para devolver el router en cualquier tienda."),
    (ROUTER_ES, "en", "If you don't return the router, there is a penalty of 60 €."),
    # "no charge" says "free", whatever the passage's wording
    (FLEX_ES, "en", "With the Flex fare there is no charge for changing your flight."),
    # clause by clause: a negation joined from another passage sentence, a heading's
    # negation, a negation inside the passage's condition
    (QR_ES, "es", "El QR es válido durante 14 días y no hace falta imprimirlo."),
    (REFUND_ES, "es", "Comprueba que han pasado 10 días hábiles desde el email de "
     "confirmación."),
    (KEYBOARD_EN, "es", "Si no tienes teclado, puedes activar el teclado en pantalla."),
    # the negation of a condition that holds two clauses ("si ... y el código no se ha
    # canjeado, ..."), copied or translated
    (LOST_ES, "es", "Si una tarjeta se pierde y el código no se ha canjeado, contáctanos: la "
     "bloquearemos y emitiremos un código nuevo."),
    (LOST_ES, "en", "If a card is lost and the code hasn't been redeemed, contact us and we "
     "will block it and issue a new code."),
]
TRAPS = [
    (WARRANTY_ES, "es", "Tu cafetera no tiene garantía legal desde la entrega.",
     "a negation not in passage 1"),
    (WARRANTY_ES, "en", "Your coffee machine does not have a 3-year legal warranty from "
     "delivery.", "a negation not in passage 1"),
    (GIFT_EN, "en", "Gift cards can be returned once the code has been sent.",
     "an affirmation that is negated in passage 2"),
    (GIFT_EN, "es", "Las tarjetas regalo se pueden devolver una vez enviado el código.",
     "an affirmation that is negated in passage 2"),
    (PAYMENT_ES, "es", "Aceptamos pago contra reembolso.",
     "an affirmation that is negated in passage 3"),
    (PAYMENT_ES, "en", "We accept cash on delivery.",
     "an affirmation that is negated in passage 3"),
]


@pytest.mark.parametrize(("text", "expected"), [
    ("No aceptamos pago contra reembolso.", True),
    ("Gift cards can't be returned.", True),
    ("La cafetera no sigue en garantía.", True),
    ("Nunca compartas tu código.", True),
    ("No, you have 30 days.", False),  # the verdict is the reply's, not the claim
    ("Si no lo devuelves, se cobra una penalización de 60 €.", False),
    ("If we can't fix a fault within 2 days, you get a credit.", False),
    ("There is no charge for the change.", False),
    ("Ajusta las zonas para que no te avise cada vez que pasa un coche.", False),
    ("Elige las zonas donde deseas que Luma no avise.", False),
    ("Con la tarifa Flex no hay cargo por cambio.", False),
    ("Returns are free within 30 days.", False),
])
def test_negated_reads_claims_not_verdicts_conditions_or_free(text: str,
                                                              expected: bool) -> None:
    assert negated(text) is expected


def test_flipped_compares_with_the_closest_passage_sentences() -> None:
    assert flipped("Gift cards can be returned.", ["Gift cards cannot be returned."])
    assert flipped("La cafetera no sigue en garantía.", ["La garantía es de 12 meses."])
    # every closest sentence must disagree for an affirmation, none agree for a negation
    assert not flipped("Gift cards can be returned.",
                       ["Gift cards cannot be returned.", "Returns are accepted in 30 days."])
    assert not flipped("Gift cards can't be returned.",
                       ["Gift cards cannot be returned.", "Returns are accepted in 30 days."])
    assert not flipped("Anything.", [])




@pytest.mark.slow
@pytest.mark.parametrize(("source", "language", "sentence"), FAITHFUL,
                         ids=[s[:40] for _, _, s in FAITHFUL])
def test_a_faithful_sentence_keeps_its_support(checker: GroundingChecker, source: Passage,
                                               language: str, sentence: str) -> None:
    g = checker.check(sentence, [source], language=language, languages=LANGUAGES)
    assert g.grounded and g.reasons == [], g.reasons


@pytest.mark.slow
@pytest.mark.parametrize(("source", "language", "sentence", "reason"), TRAPS,
                         ids=[s[:40] for _, _, s, _ in TRAPS])
def test_a_sentence_that_turns_its_passage_around_is_refused(
        checker: GroundingChecker, source: Passage, language: str, sentence: str,
        reason: str) -> None:
    g = checker.check(sentence, [source], language=language, languages=LANGUAGES)
    assert not g.grounded and g.citations == [] and g.reasons == [reason]
    # and the rule is what refuses it: without it, the passage was cited
    loose = GroundingChecker(checker.embedder, polarity=False)
    assert loose.check(sentence, [source], language=language, languages=LANGUAGES).grounded
