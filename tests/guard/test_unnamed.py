"""An answer about something else than the product the customer asked about: "¿Cuándo vuelve
a haber stock del robot aspirador Vetta R7?" answered with true, cited sentences on gift cards
(the golden set's es-unans-restock). The question's names and codes must be in a passage
behind the reply; places are left to ``cxrag.guard.places``."""

from __future__ import annotations

import pytest

from cxrag.compose.context import Passage
from cxrag.guard.facts import asked_names
from cxrag.guard.grounding import GroundingChecker
from cxrag.guard.streaming import GuardedStream
from tests.conftest import FakeEmbedder

GIFT = "Si devuelves algo pagado con tarjeta regalo, el importe vuelve al instante a tu saldo."
VACUUM = "El robot aspirador Vetta R7 vuelve a estar disponible en diciembre."


@pytest.mark.parametrize(("asking", "names"), [
    ("Cuándo vuelve a haber stock del robot aspirador Vetta R7?", ["vetta r7"]),
    ("Does the Luma Cam see in the dark?", ["luma cam"]),
    ("what's the max power of the LP-1 plug?", ["lp-1"]),
    ("is there a fee for paying cash at an OXXO in Guadalajara?", []),  # capitals, a place
    ("QUIERO HABLAR CON UNA PERSONA YA", []),  # shouted, no name
    ("how long do i have to return a blender?", []),
])
def test_the_names_a_question_asks_about(asking: str, names: list[str]) -> None:
    assert asked_names(asking) == names


def _passage(text: str) -> Passage:
    return Passage(1, "kb/doc", "kb/doc#0", "Ayuda", "kb/doc.md", text, "es", 1.0, 20)


def test_a_reply_about_another_product_is_off_topic_whole_and_streamed() -> None:
    checker = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.0)
    asked = "Cuándo vuelve a haber stock del robot aspirador Vetta R7? Es para un regalo"
    g = checker.check(GIFT, [_passage(GIFT)], question=asked)
    assert not g.grounded and g.reason == "off_topic" and g.supported == 1
    assert checker.unnamed(asked, [_passage(GIFT)]) == "vetta r7"
    assert checker.check(VACUUM, [_passage(VACUUM)], question=asked).grounded
    assert checker.check(GIFT, [_passage(GIFT)], question="¿Las tarjetas regalo se "
                         "devuelven?").grounded  # no name asked about
    lenient = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.0,
                               near_misses=False)
    assert lenient.check(GIFT, [_passage(GIFT)], question=asked).grounded
    stream = GuardedStream(checker, [_passage(GIFT)], question=asked)
    assert stream.feed(f"{GIFT} ") == [] and stream.finish() == []  # never shown
    verdict = stream.verdict()
    assert not verdict.grounded and verdict.reason == "off_topic" and verdict.answer == ""
    shown = GuardedStream(checker, [_passage(VACUUM)], question=asked)
    assert shown.feed(f"{VACUUM} ") == [] and shown.finish() == [VACUUM + " [1]"]
    assert shown.verdict().grounded
