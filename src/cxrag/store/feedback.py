"""Drafts and feedback on SQL, and what feedback judged: its target, and the JSON-ready export.

``SqlFeedbackStore`` implements ``protocols.FeedbackStore``: drafted replies kept with the ticket
they answer, verdicts on drafts and on assistant turns, and the export. The export leaves the
store for analysts and fine-tuning sets: every text in it has all personal data masked, contact
data included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cxrag.errors import FeedbackTargetNotFound
from cxrag.privacy import redact_json
from cxrag.store.models import Draft, Feedback, Message
from cxrag.store.privacy import masked, masked_json
from cxrag.store.queries import owned
from cxrag.store.records import (
    DraftRecord,
    FeedbackRecord,
    TargetKind,
    check_choice,
    check_tenant,
)
from cxrag.store.types import now


class SqlFeedbackStore:
    """Drafted replies, verdicts on drafts and assistant turns, and their export."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save_draft(
        self, tenant: str, *, ticket: Mapping[str, Any], text: str,
        citations: Sequence[Any] = (), prompt_version: str | None = None,
        model: str | None = None,
    ) -> DraftRecord:
        """Keep a drafted reply with the ticket it answers and what produced it."""
        draft = Draft(id=str(uuid4()), tenant=check_tenant(tenant),
                      ticket=masked_json(dict(ticket)), text=masked(text),
                      citations=list(citations), prompt_version=prompt_version, model=model)
        with self._sessions.begin() as session:
            session.add(draft)
            session.flush()
            return DraftRecord.of(draft)

    def add_feedback(
        self, tenant: str, target_kind: TargetKind, target_id: str | int, *,
        accepted: bool | None = None, edited_text: str | None = None,
        rating: int | None = None, comment: str | None = None,
    ) -> FeedbackRecord:
        """Record a verdict on one of this tenant's messages or drafts."""
        check_choice(target_kind, TargetKind, "target_kind")
        with self._sessions.begin() as session:
            target = feedback_target(session, check_tenant(tenant), target_kind, str(target_id))
            if target is None:
                raise FeedbackTargetNotFound(f"no {target_kind} {target_id!r}",
                                             target_kind=target_kind)
            row = Feedback(tenant=tenant, target_kind=target_kind, target_id=str(target.id),
                           accepted=accepted, edited_text=masked(edited_text), rating=rating,
                           comment=masked(comment))
            session.add(row)
            session.flush()
            return FeedbackRecord.of(row)

    def rate_message(
        self, tenant: str, conversation_id: str, message_id: int, *,
        customer_id: str | None = None, visitor_id: str | None = None, rating: int,
        comment: str | None = None,
    ) -> FeedbackRecord:
        """The owner's verdict on an assistant turn of their conversation; a second verdict
        on the same turn replaces the first (one per reply, so CSAT counts each reply once)."""
        tenant = check_tenant(tenant)
        with self._sessions.begin() as session:
            conv = owned(session, tenant, conversation_id, customer_id, visitor_id)
            message = session.get(Message, message_id)
            if message is None or message.conversation_id != conv.id \
                    or message.role != "assistant":
                raise FeedbackTargetNotFound(
                    f"no assistant reply {message_id} in conversation {conversation_id!r}",
                    target_kind="message")
            row = session.scalars(
                select(Feedback).where(Feedback.tenant == tenant,
                                       Feedback.target_kind == "message",
                                       Feedback.target_id == str(message.id))).first()
            if row is None:
                row = Feedback(tenant=tenant, target_kind="message", target_id=str(message.id))
                session.add(row)
            row.rating, row.comment, row.at = rating, masked(comment), now()
            session.flush()
            return FeedbackRecord.of(row)

    def export_feedback(self, tenant: str) -> list[dict[str, Any]]:
        """Every feedback of the tenant, oldest first, with what it judged (JSON-ready)."""
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(Feedback).where(Feedback.tenant == check_tenant(tenant))
                .order_by(Feedback.at, Feedback.id)).all()
            return [export_row(session, tenant, row) for row in rows]


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
    redacted: dict[str, Any] = redact_json(out)
    return redacted


def _question(session: Session, message: Message) -> str | None:
    """The user turn a message answered: the latest one before it."""
    return session.scalars(
        select(Message.text)
        .where(Message.tenant == message.tenant, Message.conversation_id == message.conversation_id,
               Message.role == "user", Message.id < message.id)
        .order_by(Message.id.desc()).limit(1)).first()
