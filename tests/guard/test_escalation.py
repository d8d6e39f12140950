"""Messages that go to a person before the model is asked (and questions that do not)."""

import pytest

from cxrag.guard.escalation import must_escalate


@pytest.mark.parametrize(("message", "reason"), [
    ("Por favor, pásame con un agente", "requested_human"),
    ("necesito hablar con alguien de verdad, no con una máquina", "requested_human"),
    ("Can I speak to a representative please", "requested_human"),
    ("transfer me to your supervisor", "requested_human"),
    ("Si no me devolvéis el dinero iré a Consumo y a mi abogado", "legal"),
    ("Si no me devolvéis el dinero iré a Consumo", "legal"),
    ("Voy a poner una queja en la oficina municipal de consumo", "legal"),
    ("I'll take you to small claims court", "legal"),
    ("Alguien ha hackeado mi cuenta y ha pedido un móvil", "fraud"),
    ("there's an unauthorized charge of $80 on my card", "fraud"),
])
def test_requests_threats_and_fraud_go_to_a_person(message: str, reason: str) -> None:
    found = must_escalate(message)
    assert found is not None and found.reason == reason


@pytest.mark.parametrize("message", [
    "¿Cuál es el horario de atención al cliente por teléfono?",
    "How do I change my password?",
    "¿Puedo devolver un televisor que compré hace 20 días?",
    "My parcel says delivered but I can't find it",
    "What is the human-readable order number format?",
    "¿Qué garantía tiene el robot aspirador?",
    "¿Cuál es el consumo de energía de la nevera?",
])
def test_ordinary_questions_are_answered(message: str) -> None:
    assert must_escalate(message) is None
