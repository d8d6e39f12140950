"""Text helpers shared by the stages."""

import pytest

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
