"""Frustration signals and how they combine (no model: the negative probability is given)."""

import pytest

from cxrag.cx.frustration import WEIGHTS, score, shouting


@pytest.mark.parametrize("text, code", [
    ("ES LA TERCERA VEZ QUE OS ESCRIBO Y NADIE RESPONDE", "shouting"),
    ("where is my order???", "shouting"),
    ("Es la tercera vez que escribo por lo mismo", "repeated_contact"),
    ("Sigo esperando el reembolso", "repeated_contact"),
    ("This is the third time I contact you about this", "repeated_contact"),
    ("I'm still waiting for my refund", "repeated_contact"),
    ("Si no lo solucionáis me doy de baja de Plus", "churn_threat"),
    ("No volveré a comprar en esta tienda", "churn_threat"),
    ("I'm cancelling my subscription today", "churn_threat"),
    ("I'll be taking my business elsewhere", "churn_threat"),
    ("Quiero hablar con una persona", "requested_human"),
    ("Can I talk to a real person please", "requested_human"),
])
def test_each_signal_is_found_in_spanish_and_english(text: str, code: str) -> None:
    assert code in score(text, negative=0.1).codes


@pytest.mark.parametrize("text", [
    "¿Cuánto tarda un envío a Canarias?",
    "How do I cancel an order before it ships?",  # a question about cancelling, not a threat
    "Thanks, NASA-grade packaging!",
    "I ordered the USB-C cable",
    "Hola otra vez. ¿Ya está el reembolso?",  # a greeting, not a complaint
    "Hi again, any news on the refund?",
])
def test_calm_messages_have_no_signals(text: str) -> None:
    assert score(text, negative=0.2).reasons == ()
    assert score(text, negative=0.2).score == 0.0


def test_signals_combine_as_independent_evidence_strongest_first() -> None:
    result = score("ES LA TERCERA VEZ!!! me doy de baja", negative=0.9, recent_contacts=2)
    codes = result.codes
    assert codes[0] == "churn_threat" and set(codes) == {
        "churn_threat", "shouting", "repeated_contact", "repeated_contacts_history",
        "negative_sentiment"}
    remaining = 1.0
    for reason in result.reasons:
        remaining *= 1 - reason.weight
    assert result.score == pytest.approx(1 - remaining, abs=1e-4)
    assert 0.9 < result.score < 1.0


def test_negative_sentiment_counts_above_even_odds_only() -> None:
    assert score("ok", negative=0.5).score == 0.0
    half = score("ok", negative=0.75).score
    assert half == pytest.approx(WEIGHTS["negative_sentiment"] * 0.5, abs=1e-4)
    assert score("ok", negative=1.0).score == pytest.approx(WEIGHTS["negative_sentiment"])


def test_history_contacts_add_up_to_a_cap() -> None:
    one = score("hola", 0.0, recent_contacts=1).score
    many = score("hola", 0.0, recent_contacts=50).score
    assert one == pytest.approx(WEIGHTS["repeated_contacts_history"]) and many == 0.45
    assert "50 other contact(s)" in score("hola", 0.0, recent_contacts=50).reasons[0].detail


def test_shouting_ignores_acronyms_in_a_normal_sentence() -> None:
    assert shouting("My NIF and IBAN are in the PDF attached") is None
    assert shouting("WHERE IS MY REFUND") is not None
