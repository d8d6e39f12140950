"""Customer history: profiles, orders, events, tickets, conversations, drafts and feedback.

SQLAlchemy models on SQLite or PostgreSQL, migrated by the Alembic revisions shipped in
``cxrag/store/migrations``. Start with ``migrate(url)``, then ``HistoryStore.from_url(url)``:
a facade over one store per job (``cxrag.store.protocols``: customers, conversations,
feedback, personal data).
"""

from cxrag.errors import (
    ConversationForbidden,
    ConversationNotFound,
    CustomerNotFound,
    FeedbackTargetNotFound,
)
from cxrag.store.conversations import SqlConversationStore
from cxrag.store.customers import SqlCustomerStore
from cxrag.store.db import current_revision, make_engine, make_sessions, migrate
from cxrag.store.feedback import SqlFeedbackStore
from cxrag.store.privacy import SqlPersonalDataStore
from cxrag.store.protocols import (
    ConversationStore,
    CustomerStore,
    FeedbackStore,
    PersonalDataStore,
)
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
    "ConversationStore",
    "CustomerHistory",
    "CustomerNotFound",
    "CustomerRecord",
    "CustomerStore",
    "DraftRecord",
    "EventRecord",
    "FeedbackRecord",
    "FeedbackStore",
    "FeedbackTargetNotFound",
    "HistoryStore",
    "ImportCounts",
    "MessageRecord",
    "OrderRecord",
    "PersonalDataStore",
    "SqlConversationStore",
    "SqlCustomerStore",
    "SqlFeedbackStore",
    "SqlPersonalDataStore",
    "TicketRecord",
    "current_revision",
    "make_engine",
    "make_sessions",
    "migrate",
]
