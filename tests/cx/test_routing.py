"""Routing: skills, languages, tiers, sensitive topics and load hints."""

import pytest

from cxrag.cx.policy import Policy, load_policy
from cxrag.cx.routing import Contact, route


@pytest.mark.parametrize("contact, queue", [
    (Contact("es", "payments"), "payments-es"),
    (Contact("es", "refunds"), "payments-es"),
    (Contact("es", "shipping"), "logistics-es"),
    (Contact("es", "warranty"), "tech-es"),
    (Contact("es", "loyalty"), "support-es"),  # no specialist: the catch-all of the language
    (Contact("en", "payments"), "support-en"),  # the specialists speak Spanish only
    (Contact("es", None), "support-es"),  # out of scope
    (Contact("es", "payments", tier="plus"), "vip"),
    (Contact("en", "shipping", tier="business"), "vip"),
    (Contact("es", "payments", tier="standard"), "payments-es"),
    (Contact("es", "payments", topic="fraud"), "priority-es"),
    (Contact("en", "complaints", tier="plus", topic="legal"), "priority-en"),
    (Contact("fr", "payments"), "support-fr"),  # nobody speaks it: a named fallback
])
def test_the_sample_policy_routes_to_the_best_qualified_queue(contact: Contact,
                                                              queue: str) -> None:
    assert route(load_policy(), contact) == queue


def test_load_hints_move_work_between_equally_qualified_queues() -> None:
    policy = Policy.model_validate({"queues": [
        {"name": "billing-a", "languages": ["es"], "skills": ["payments"]},
        {"name": "billing-b", "languages": ["es"], "skills": ["payments"]},
    ]})
    contact = Contact("es", "payments")
    assert route(policy, contact) == "billing-a"  # a tie goes to the first listed
    assert route(policy, contact, {"billing-a": 0.9}) == "billing-b"
    assert route(policy, contact, {"billing-a": 0.9, "billing-b": 1.0}) == "billing-a"


def test_a_full_specialist_loses_to_an_idle_generalist_but_not_a_half_full_one() -> None:
    policy = Policy.model_validate({"queues": [
        {"name": "billing", "skills": ["payments"]},
        {"name": "general", "skills": ["*"]},
    ]})
    contact = Contact("es", "payments")
    assert route(policy, contact, {"billing": 0.5}) == "billing"
    assert route(policy, contact, {"billing": 1.0}) == "general"
