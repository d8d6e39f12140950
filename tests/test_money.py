"""Amounts of money read once for the packer and the guard (``cxrag.money``)."""

from __future__ import annotations

import pytest

from cxrag.money import amounts, currencies


@pytest.mark.parametrize(("text", "expected"), [
    ("Cuesta MX$ 1.299 al mes.", {"MXN"}),
    ("El envío cuesta 3,99 € o 10 euros.", {"EUR"}),
    ("Son 25 dólares, o 25 dolares sin tilde.", {"USD"}),
    ("It costs US$25 or 30 USD.", {"USD"}),
    ("It costs $25.", {"$"}),
    ("Pagas 500 pesos.", {"MXN"}),
    ("£10 a month", {"GBP"}),
    ("Se entrega en 3 días.", set()),
])
def test_currencies(text: str, expected: set[str]) -> None:
    assert currencies(text) == expected


def test_amounts_keep_number_and_text_as_written() -> None:
    assert amounts("MX$ 1.299 y 3,99 €") == [("1.299", "MXN", "MX$ 1.299"),
                                             ("3,99", "EUR", "3,99 €")]


def test_a_figure_inside_a_word_or_number_is_no_amount() -> None:
    assert currencies("ref A1.5euros") == set()
