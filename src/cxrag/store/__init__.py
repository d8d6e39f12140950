"""Customer history: profiles, orders, events, tickets, conversations, drafts and feedback.

SQLAlchemy models on SQLite or PostgreSQL, migrated by the Alembic revisions shipped in
``cxrag/store/migrations``. Start with ``migrate(url)``, then ``HistoryStore.from_url(url)``.
"""

from cxrag.errors import (
    ConversationForbidden,
    ConversationNotFound,
    CustomerNotFound,
    FeedbackTargetNotFound,
)
from cxrag.store.db import current_revision, make_engine, make_sessions, migrate
from cxrag.store.records import (
    ConversationRecord,
    CustomerHistory,
    CustomerRecord,
    DraftRecord,
    EventRecord,
    FeedbackRecord,
    ImportCounts,
    MessageRecord,
    OrderRecord,
    TicketRecord,
)
from cxrag.store.repository import HistoryStore

__all__ = [
    "ConversationForbidden",
    "ConversationNotFound",
    "ConversationRecord",
    "CustomerHistory",
    "CustomerNotFound",
    "CustomerRecord",
    "DraftRecord",
    "EventRecord",
    "FeedbackRecord",
    "FeedbackTargetNotFound",
    "HistoryStore",
    "ImportCounts",
    "MessageRecord",
    "OrderRecord",
    "TicketRecord",
    "current_revision",
    "make_engine",
    "make_sessions",
    "migrate",
]
