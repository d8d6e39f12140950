"""Text helpers shared by the stages."""

import pytest

from cxrag.text import finished
from cxrag.textnorm import fold, without_introduction


@pytest.mark.parametrize(("text", "expected"), [
    ("Hola, soy Lucía. ¿Cuántos días tengo?", "Hola. ¿Cuántos días tengo?"),
    ("Hi, I'm James. How long until the money is back?", "Hi. How long until the money is back?"),
    ("Me llamo Ana Gómez. Mi pedido no llega", "Mi pedido no llega"),
    ("Soy Lucía, tengo una duda", "tengo una duda"),
    # Not an introduction by name: left as written.
    ("hola soy autónomo y necesito factura", "hola soy autónomo y necesito factura"),
    ("I'm in Guadalajara and want to pay cash", "I'm in Guadalajara and want to pay cash"),
    ("Soy Lucía y quiero devolver", "Soy Lucía y quiero devolver"),
    ("this is Carmen", "this is Carmen"),  # nothing would be left
])
def test_without_introduction(text: str, expected: str) -> None:
    assert without_introduction(text) == expected


def test_fold() -> None:
    assert fold("Día ÚNICO, pingüino") == "dia unico, pinguino"


@pytest.mark.parametrize("text, kept", [
    ("Pasado ese plazo, escríbenos. La emitimos en 5 días há",
     "Pasado ese plazo, escríbenos."),
    ("Returns are free for 30 days. If you return an item bought with the discount",
     "Returns are free for 30 days."),
    # the reply's one sentence, cut: kept, marked as cut, for the guard to judge
    ("If you return an item bought with the discount",
     "If you return an item bought with the discount…"),
    ("1. Los instrumentos soportados incluyen el i1 Pro, el i1 Monitor y los DTP22",
     "1. Los instrumentos soportados incluyen el i1 Pro, el i1 Monitor y los DTP22…"),
    ("Returns are free [1]. Refunds take 5 days [2]",
     "Returns are free [1]. Refunds take 5 days [2]"),
    ("Sí. [1]", "Sí. [1]"),
    ("Elige una opción:", "Elige una opción:"),
    ("Dijo «gratis»", "Dijo «gratis»"),
    ("", ""),
])
def test_a_sentence_without_an_end_is_cut_off(text: str, kept: str) -> None:
    assert finished(text) == kept


PASSAGE = ("Desde Mis pedidos puedes pedir la factura completa hasta 90 días después. Pasado "
           "ese plazo, escríbenos indicando el número de pedido;\nla emitimos en 5 días "
           "hábiles. Las facturas son válidas sin firma.")


@pytest.mark.parametrize("text, kept", [
    # a copy of the passage's words is completed with them, to its sentence's end
    ("Hola. [2] Pasado ese plazo, escríbenos indicando el número de pedido; la emitimos en 5 "
     "días há", "Hola. Pasado ese plazo, escríbenos indicando el número de pedido; la emitimos "
     "en 5 días hábiles."),
    ("Hola. Las facturas son válidas", "Hola. Las facturas son válidas sin firma."),
    ("Hola. Las facturas no son válidas", "Hola. Las facturas no son válidas…"),
    # not the passage's words, or too short to tell which sentence it copies
    ("Las facturas simplificadas se emiten solas. Las facturas no son válidas",
     "Las facturas simplificadas se emiten solas."),
    ("Las facturas simplificadas se emiten solas. Las facturas",
     "Las facturas simplificadas se emiten solas."),
])
def test_a_cut_off_copy_of_a_passage_is_completed_from_it(text: str, kept: str) -> None:
    assert finished(text, [PASSAGE]) == kept
