"""What the widget's endpoints keep in the history store (SQLite and PostgreSQL)."""

import pytest

from cxrag.store import (
    ConversationForbidden,
    ConversationNotFound,
    FeedbackTargetNotFound,
    HistoryStore,
)


def _answered(store: HistoryStore, tenant: str, visitor: str = "v-1") -> tuple[str, int]:
    conv, _ = store.begin_turn(tenant, visitor_id=visitor, channel="web", text="Refunds?")
    answer = store.add_message(tenant, conv.id, visitor_id=visitor, role="assistant",
                               channel="web", text="Up to 10 days [1].")
    return conv.id, answer.id


def test_one_verdict_per_reply_from_its_owner(store: HistoryStore, tenant: str,
                                              other_tenant: str) -> None:
    conv_id, answer_id = _answered(store, tenant)
    first = store.rate_message(tenant, conv_id, answer_id, visitor_id="v-1", rating=5)
    second = store.rate_message(tenant, conv_id, answer_id, visitor_id="v-1", rating=1,
                                comment="too slow")
    assert second.id == first.id and (second.rating, second.comment) == (1, "too slow")
    [row] = store.export_feedback(tenant)
    assert (row["rating"], row["target"]["question"]) == (1, "Refunds?")

    with pytest.raises(ConversationForbidden):
        store.rate_message(tenant, conv_id, answer_id, visitor_id="v-2", rating=5)
    with pytest.raises(FeedbackTargetNotFound):  # the customer's own turn
        store.rate_message(tenant, conv_id, answer_id - 1, visitor_id="v-1", rating=5)
    other_conv, _ = _answered(store, tenant, "v-2")
    with pytest.raises(FeedbackTargetNotFound):  # a reply of another conversation
        store.rate_message(tenant, other_conv, answer_id, visitor_id="v-2", rating=5)
    with pytest.raises(ConversationNotFound):
        store.rate_message(other_tenant, conv_id, answer_id, visitor_id="v-1", rating=5)


def test_a_handed_off_conversation_is_recorded_and_continues(store: HistoryStore,
                                                             tenant: str) -> None:
    conv_id, _ = _answered(store, tenant)
    note = store.hand_off(tenant, conv_id, visitor_id="v-1", channel="web",
                          text="summary", meta={"handoff": {"queue": "support-en"}})
    conv, messages = store.conversation(tenant, conv_id, visitor_id="v-1")
    assert conv.status == "handoff"
    assert [m.role for m in messages] == ["user", "assistant", "system"]
    assert messages[-1].id == note.id and messages[-1].meta["handoff"]["queue"] == "support-en"
    # Waiting for a person, the same visitor still lands in the same conversation.
    again = store.start_or_continue_conversation(tenant, visitor_id="v-1", channel="whatsapp")
    assert again.id == conv_id
    with pytest.raises(ConversationForbidden):
        store.conversation(tenant, conv_id, visitor_id="v-2")
