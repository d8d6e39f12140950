"""What feedback judged: finding its target, and the JSON-ready export of feedback rows.

The export leaves the store for analysts and fine-tuning sets: every text in it has all
personal data masked, contact data included.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxrag.privacy import redact_json
from cxrag.store.models import Draft, Feedback, Message
from cxrag.store.records import FeedbackRecord


def feedback_target(session: Session, tenant: str, kind: str, target_id: str
                    ) -> Message | Draft | None:
    """The tenant's draft or message ``target_id``, or None."""
    if kind == "draft":
        draft = session.get(Draft, target_id)
        return draft if draft is not None and draft.tenant == tenant else None
    if not (target_id.isascii() and target_id.isdigit() and len(target_id) <= 18):
        return None
    message = session.get(Message, int(target_id))
    return message if message is not None and message.tenant == tenant else None


def export_row(session: Session, tenant: str, row: Feedback) -> dict[str, Any]:
    """One feedback row with what it judged (for a message, also the question it answered),
    personal data masked."""
    record = FeedbackRecord.of(row)
    out: dict[str, Any] = {**asdict(record), "at": record.at.isoformat(), "target": None}
    target = feedback_target(session, tenant, row.target_kind, row.target_id)
    if isinstance(target, Draft):
        out["target"] = {"ticket": target.ticket, "text": target.text,
                         "citations": target.citations, "prompt_version": target.prompt_version,
                         "model": target.model, "created_at": target.created_at.isoformat()}
    elif isinstance(target, Message):
        out["target"] = {"conversation_id": target.conversation_id, "role": target.role,
                         "channel": target.channel, "text": target.text, "meta": target.meta,
                         "at": target.at.isoformat(), "question": _question(session, target)}
    masked: dict[str, Any] = redact_json(out)
    return masked


def _question(session: Session, message: Message) -> str | None:
    """The user turn a message answered: the latest one before it."""
    return session.scalars(
        select(Message.text)
        .where(Message.tenant == message.tenant, Message.conversation_id == message.conversation_id,
               Message.role == "user", Message.id < message.id)
        .order_by(Message.id.desc()).limit(1)).first()
