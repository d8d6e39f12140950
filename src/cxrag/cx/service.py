"""Triage of a contact with what the history store knows: tier, recent contacts, language."""

from __future__ import annotations

from collections.abc import Mapping

from cxrag.cx.triage import Analysis, Signals, Triage
from cxrag.store import HistoryStore


class TriageService:
    """``POST /v1/triage``: one message, optionally of a known customer or conversation."""

    def __init__(self, triage: Triage, store: HistoryStore, recent_days: int = 30) -> None:
        self.triage, self.store, self.recent_days = triage, store, recent_days

    def analyse(self, tenant: str, text: str, *, customer_id: str | None = None,
                conversation_id: str | None = None,
                load: Mapping[str, float] | None = None) -> Analysis:
        """The analysis of ``text``; the conversation's owner counts as its customer."""
        language = None
        if conversation_id is not None:
            conv, turns = self.store.conversation_for_agent(tenant, conversation_id)
            customer_id = customer_id or conv.customer_id
            said = [m.meta.get("language") for m in turns if m.role == "assistant"]
            language = next((str(x) for x in reversed(said) if x), None)
        tier, contacts = None, 0
        if customer_id is not None:
            profile = self.store.get_customer(tenant, customer_id)
            tier = profile.tier if profile else None
            contacts = self.store.contact_count(tenant, customer_id, self.recent_days,
                                                exclude_conversation=conversation_id)
        return self.triage.analyse(text, Signals(tier=tier, recent_contacts=contacts,
                                                 language=language, load=load))
