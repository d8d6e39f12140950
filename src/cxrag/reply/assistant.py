"""Wiring of the reply side: chat model, prompts, history store, one Responder per collection."""

from __future__ import annotations

import threading
from typing import Any

from cxrag.compose.context import ContextPacker
from cxrag.compose.prompts import PromptLibrary
from cxrag.cx import build_triage
from cxrag.cx.service import TriageService
from cxrag.embed.cache import SentenceVectors
from cxrag.generate.client import ChatModel, build_chat
from cxrag.generate.runtime import EmbeddedRuntime
from cxrag.guard import places
from cxrag.guard.grounding import GroundingChecker
from cxrag.guard.safety import OutputPolicy
from cxrag.knowledge import Knowledge
from cxrag.privacy import redact
from cxrag.reply.chat import ChatService
from cxrag.reply.drafts import DraftService
from cxrag.reply.extractive import Extractor
from cxrag.reply.service import Responder
from cxrag.settings import Settings
from cxrag.store import HistoryStore, migrate


class Assistant:
    """Everything a chat turn needs, built once per process (the app's lifespan, the CLI)."""

    def __init__(self, settings: Settings, knowledge: Knowledge, chat: ChatModel | None = None,
                 store: HistoryStore | None = None) -> None:
        self.settings, self.knowledge = settings, knowledge
        self.runtime: EmbeddedRuntime | None = None
        if chat is None and settings.llm.backend == "embedded":
            self.runtime = EmbeddedRuntime(settings.llm).start()
        remote = settings.llm.backend == "remote" and settings.privacy.redact_remote_prompts
        self.model: ChatModel = chat or build_chat(settings.llm, self.runtime,
                                                   redact=redact if remote else None)
        if store is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            migrate(settings.database)
            store = HistoryStore.from_url(settings.database)
        self.store = store
        self.triage = build_triage(settings, knowledge.embedder)
        self.triage.warm()
        places.warm()  # the guard's gazetteer, read before the first reply needs it
        self.triage_service = TriageService(self.triage, store, settings.cx.recent_days)
        self.prompts = PromptLibrary(settings.prompts.dir, settings.prompts.version)
        self.chat = ChatService(store, self.prompts.texts(), settings.cx.recent_days,
                                self.triage, responders=self.responder)
        self.drafts = DraftService(store, settings.cx.recent_days)
        self.policy = OutputPolicy(settings.guard.allowed_domains,
                                   secrets=self.prompts.system_prompts())
        self.sentences = SentenceVectors(knowledge.embedder)
        self._responders: dict[str, Responder] = {}
        self._lock = threading.Lock()

    def responder(self, collection: str | None = None) -> Responder:
        """The Responder of an existing collection (default from settings)."""
        base = self.knowledge.get(collection, create=False)
        with self._lock:
            if base.collection not in self._responders:
                checker = GroundingChecker(
                    self.knowledge.embedder, self.settings.guard.min_support,
                    self.settings.guard.min_supported_share, sentences=self.sentences,
                    policy=self.policy,
                    min_answer_relevance=self.settings.guard.min_answer_relevance,
                    question_terms=self.settings.guard.question_terms,
                    answer_kind=self.settings.guard.answer_kind,
                    articles_required=self.settings.guard.articles_required,
                    polarity=self.settings.guard.polarity)
                self._responders[base.collection] = Responder(
                    base.retriever, self.model, self.prompts,
                    ContextPacker(self.settings.prompts.context_tokens,
                                  self.settings.chunking.encoding,
                                  self.sentences if self.settings.prompts.focus else None,
                                  self.settings.prompts.max_passages),
                    checker, self.settings.llm.model,
                    max_tokens=self.settings.prompts.answer_tokens, triage=self.triage,
                    extractor=self._extractor(checker), pivot=self.settings.prompts.pivot,
                    min_relevance=self.settings.retrieval.min_relevance)
            return self._responders[base.collection]

    def _extractor(self, checker: GroundingChecker) -> Extractor | None:
        """The extractive rung, unless switched off (``CXRAG_PROMPTS__EXTRACTIVE``)."""
        if not self.settings.prompts.extractive:
            return None
        return Extractor(checker, self.sentences,
                         min_similarity=self.settings.prompts.extractive_min_similarity)

    def health(self) -> dict[str, Any]:
        """Whether the chat model answers: the embedded server's ``/health``, a remote
        endpoint's ``/models`` (a model given in code, e.g. a test's fake, counts as up)."""
        if self.runtime is not None:
            return {"llm": self.runtime.health()}
        probe = getattr(self.model, "health", None)
        return {"llm": bool(probe()) if callable(probe) else True}

    def close(self) -> None:
        """Cancel model calls in flight, stop the embedded model and close the store."""
        closer = getattr(self.model, "close", None)
        if callable(closer):
            closer()
        if self.runtime is not None:
            self.runtime.stop()
        self.store.close()
