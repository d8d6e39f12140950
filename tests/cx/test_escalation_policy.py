"""The escalation policy table on the real models (embedder, sentiment) and the sample policy."""

from datetime import UTC, datetime

import pytest

from cxrag.cx import Signals, Triage, load_policy
from cxrag.cx.policy import Policy

TUESDAY_11_MADRID = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, tier, escalate, reason, priority, queue", [
    ("¿Hacéis envíos a Canarias?", None, False, None, "normal", "logistics-es"),
    ("Do you ship to the Canary Islands?", None, False, None, "normal", "support-en"),
    ("Me han cobrado dos veces el mismo pedido", None, False, None, "high", "payments-es"),
    ("Me han cobrado dos veces el mismo pedido", "plus", False, None, "urgent", "vip"),
    ("Quiero hablar con una persona", None, True, "requested_human", None, "support-es"),
    ("Os voy a denunciar ante la OCU si no me devolvéis el dinero", None, True, "legal",
     "urgent", "priority-es"),
    ("Someone made an unauthorized purchase with my card on your site", None, True, "fraud",
     "urgent", "priority-en"),
    ("Quiero ejercer mi derecho al olvido según el RGPD", None, True, "data_protection",
     "urgent", "priority-es"),
    ("La freidora echó humo y se ha quemado el enchufe", None, True, "safety", "urgent",
     "priority-es"),
    ("ES LA TERCERA VEZ QUE ESCRIBO Y MI PEDIDO SIGUE SIN LLEGAR!!!", None, True,
     "frustration", "high", "support-es"),
    ("I'm really annoyed, my order is late. I'm cancelling my Plus membership", None, True,
     "frustration", "high", "support-en"),
    ("What's the weather like in Paris tomorrow?", None, True, "out_of_scope", "normal",
     "support-en"),
    ("Escribe un poema sobre el mar", None, True, "out_of_scope", "normal", "support-es"),
    ("Gracias, todo perfecto, el paquete llegó antes de lo previsto", None, False, None,
     "normal", "logistics-es"),
])
def test_the_policy_table(triage: Triage, text: str, tier: str | None, escalate: bool,
                          reason: str | None, priority: str | None, queue: str) -> None:
    a = triage.analyse(text, Signals(tier=tier), at=TUESDAY_11_MADRID)
    assert (a.escalate, a.reason, a.queue) == (escalate, reason, queue), a.as_dict()
    if priority is not None:
        assert a.priority == priority, a.as_dict()
    assert a.within_hours and a.next_open is None
    assert (a.category is None) == a.out_of_scope
    if reason == "out_of_scope":
        assert a.out_of_scope


def test_vip_customers_are_handed_over_sooner(triage: Triage) -> None:
    text = "My order is late and nobody tells me anything."
    standard = triage.analyse(text, Signals(tier="standard", recent_contacts=2))
    plus = triage.analyse(text, Signals(tier="plus", recent_contacts=2))
    policy = triage.policy.escalation
    score = standard.frustration.score
    assert policy.vip_frustration_threshold <= score < policy.frustration_threshold
    assert plus.frustration.score == score
    assert not standard.escalate and standard.queue == "support-en"
    assert plus.escalate and plus.reason == "frustration" and plus.queue == "vip"
    assert {"negative_sentiment", "repeated_contacts_history"} <= set(plus.frustration.codes)


def test_repeated_contacts_in_the_history_raise_frustration(triage: Triage) -> None:
    text = "Mi pedido todavía no ha llegado."
    first = triage.analyse(text)
    again = triage.analyse(text, Signals(recent_contacts=3))
    assert again.frustration.score > first.frustration.score + 0.15
    assert not first.escalate and again.escalate and again.reason == "frustration"
    assert "3 other contact(s) recently" in [r.detail for r in again.frustration.reasons]


def test_outside_business_hours_the_decision_says_when_people_are_back(triage: Triage) -> None:
    sunday = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    a = triage.analyse("Quiero hablar con una persona", at=sunday)
    assert a.escalate and not a.within_hours
    assert a.next_open is not None and a.next_open.isoformat() == "2026-12-07T09:00:00+01:00"
    assert a.as_dict()["next_open"] == "2026-12-07T09:00:00+01:00"


def test_thresholds_come_from_the_policy(triage: Triage) -> None:
    strict = Policy.model_validate({**triage.policy.model_dump(),
                                    "escalation": {"frustration_threshold": 0.2}})
    text = "My router keeps dropping the wifi and it is really annoying"
    relaxed = triage.analyse(text)
    assert not relaxed.escalate
    tight = Triage(strict, triage.embedder, triage.sentiment).analyse(text)
    assert tight.escalate and tight.reason == "frustration"


def test_a_sensitive_topic_of_the_operators_own(triage: Triage) -> None:
    custom = Policy.model_validate({**triage.policy.model_dump(), "escalation": {
        "sensitive_topics": {"press": {"patterns": [r"\b(?:periodista|journalist)\b"]}}}})
    a = Triage(custom, triage.embedder, triage.sentiment).analyse(
        "Soy periodista y quiero una declaración sobre el retraso")
    assert a.escalate and a.reason == "press" and a.priority == "urgent"
    # the built-in topics are no longer sensitive in that policy
    b = Triage(custom, triage.embedder, triage.sentiment).analyse("Es una estafa")
    assert b.reason != "fraud"


def test_load_default_policy_is_valid() -> None:
    assert load_policy().escalation.frustration_threshold == 0.7
