"""Drafts and feedback are kept per tenant and exported with what they judged."""

from __future__ import annotations

import json

import pytest

from cxrag.errors import InvalidRequest
from cxrag.store import FeedbackTargetNotFound, HistoryStore


def test_drafts_and_feedback_export(store: HistoryStore, tenant: str, other_tenant: str) -> None:
    ticket = {"id": "TK-1", "subject": "Refund", "body": "I want my money back"}
    draft = store.save_draft(tenant, ticket=ticket, text="We have refunded you [1].",
                             citations=["policy/refunds#1"], prompt_version="v1", model="qwen")
    assert draft.ticket == ticket and draft.citations == ["policy/refunds#1"]

    conv = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    store.add_message(tenant, conv.id, customer_id="C1", role="user", channel="web",
                      text="How long do refunds take?")
    answer = store.add_message(tenant, conv.id, customer_id="C1", role="assistant",
                               channel="web", text="Up to 14 days [1].",
                               meta={"citations": ["policy/refunds#2"], "model": "qwen"})

    on_draft = store.add_feedback(tenant, "draft", draft.id, accepted=False,
                                  edited_text="Refund issued today.", comment="too vague")
    on_answer = store.add_feedback(tenant, "message", answer.id, accepted=True, rating=5)
    assert on_answer.target_id == str(answer.id)

    exported = store.export_feedback(tenant)
    json.dumps(exported)  # JSON-ready as it is
    assert [e["id"] for e in exported] == [on_draft.id, on_answer.id]
    first, second = exported
    assert (first["target_kind"], first["accepted"], first["edited_text"], first["comment"]) == (
        "draft", False, "Refund issued today.", "too vague")
    assert first["target"]["ticket"] == ticket
    assert first["target"]["text"] == "We have refunded you [1]."
    assert (first["target"]["prompt_version"], first["target"]["model"]) == ("v1", "qwen")
    assert (second["target_kind"], second["accepted"], second["rating"]) == ("message", True, 5)
    assert second["target"]["text"] == "Up to 14 days [1]."
    assert second["target"]["question"] == "How long do refunds take?"
    assert second["target"]["meta"]["citations"] == ["policy/refunds#2"]

    assert store.export_feedback(other_tenant) == []


def test_feedback_only_on_the_tenants_own_targets(
    store: HistoryStore, tenant: str, other_tenant: str
) -> None:
    draft = store.save_draft(tenant, ticket={"id": "TK-1"}, text="hello")
    with pytest.raises(FeedbackTargetNotFound):
        store.add_feedback(other_tenant, "draft", draft.id, accepted=True)
    with pytest.raises(FeedbackTargetNotFound):
        store.add_feedback(tenant, "message", "123456789012", rating=1)
    with pytest.raises(FeedbackTargetNotFound):
        store.add_feedback(tenant, "message", "not-a-number", rating=1)
    with pytest.raises(InvalidRequest):
        store.add_feedback(tenant, "ticket", draft.id)  # type: ignore[arg-type]
    assert store.export_feedback(tenant) == [] and store.export_feedback(other_tenant) == []
