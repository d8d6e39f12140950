"""Triage of one message or ticket: category, priority, language, sentiment, frustration,
the escalation decision and the queue. The policy file decides; the models measure.

Category comes from the organisation's trained model when one exists (``cxrag triage
train``), else from the policy's category descriptions (zero-shot). Below the confidence
threshold the category is not trusted: ``out_of_scope`` is set and, by policy, the contact
goes to a person rather than to a forced guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from cxrag.cx.artefacts import Artefact
from cxrag.cx.frustration import Frustration, score
from cxrag.cx.policy import PRIORITIES, Policy, Priority
from cxrag.cx.routing import Contact, route
from cxrag.cx.sentiment import Sentiment, SentimentModel, normalise
from cxrag.cx.zeroshot import ZeroShotClassifier
from cxrag.embed.base import Embedder
from cxrag.guard.escalation import RULES
from cxrag.language import detect_language


@dataclass(frozen=True)
class Analysis:
    """Everything triage says about one message."""

    category: str | None
    confidence: float
    out_of_scope: bool
    priority: Priority
    language: str
    sentiment: Sentiment
    frustration: Frustration
    escalate: bool
    reason: str | None  # why it escalates: a topic, requested_human, frustration, out_of_scope
    queue: str
    within_hours: bool
    next_open: datetime | None
    classifier: str  # "trained:<version>" or "zero-shot"

    @property
    def urgent_handoff(self) -> bool:
        """Escalates for a reason the assistant must not answer through (not merely OOS)."""
        return self.escalate and self.reason not in (None, "out_of_scope")

    def as_dict(self) -> dict[str, Any]:
        """The analysis as the API returns it (``/v1/triage``, drafts, chat handoffs)."""
        return {
            "category": self.category, "confidence": self.confidence,
            "out_of_scope": self.out_of_scope, "priority": self.priority,
            "language": self.language,
            "sentiment": {"label": self.sentiment.label, "score": self.sentiment.score,
                          "probabilities": self.sentiment.probabilities},
            "frustration": {"score": self.frustration.score,
                            "reasons": [{"code": r.code, "weight": round(r.weight, 3),
                                         "detail": r.detail} for r in self.frustration.reasons]},
            "escalate": self.escalate, "escalation_reason": self.reason, "queue": self.queue,
            "within_business_hours": self.within_hours,
            "next_open": self.next_open.isoformat() if self.next_open else None,
            "classifier": self.classifier,
        }


@dataclass(frozen=True)
class Signals:
    """What the history adds to a message (all optional)."""

    tier: str | None = None
    recent_contacts: int = 0  # the customer's other tickets/conversations lately
    language: str | None = None  # when already known (a locale, the conversation)
    load: Mapping[str, float] | None = None  # queue load hints 0..1


class Triage:
    """Built once per process; thread-safe (the models only read)."""

    def __init__(self, policy: Policy, embedder: Embedder, sentiment: SentimentModel,
                 model: Artefact | None = None, languages: Sequence[str] = ("es", "en")) -> None:
        self.policy, self.embedder, self.sentiment = policy, embedder, sentiment
        self.model, self.languages = model, tuple(languages)
        self.zero_shot = None if model else ZeroShotClassifier(policy, embedder)
        self.classifier = f"trained:{model.version}" if model else "zero-shot"

    def warm(self) -> None:
        """Fit (first start on a machine, ~6 s) or load the sentiment model now, not on the
        first customer's message."""
        self.sentiment.probabilities(["ok"])

    def analyse(self, text: str, signals: Signals | None = None,
                at: datetime | None = None) -> Analysis:
        """Triage one message."""
        return self.analyse_many([text], [signals or Signals()], at)[0]

    def analyse_many(self, texts: Sequence[str], signals: Sequence[Signals] | None = None,
                     at: datetime | None = None) -> list[Analysis]:
        """Triage a batch (embedded together)."""
        if not texts:
            return []
        signals = signals or [Signals()] * len(texts)
        vectors = self.embedder.embed_documents([normalise(t) for t in texts])
        moods = self.sentiment.analyse(texts, vectors)
        categories = self._categories(texts, vectors)
        when = at or datetime.now(UTC)
        return [self._decide(text, sig, mood, cat, when)
                for text, sig, mood, cat in zip(texts, signals, moods, categories, strict=True)]

    def _categories(self, texts: Sequence[str], vectors: np.ndarray
                    ) -> list[tuple[str | None, float, bool]]:
        """(category, confidence, out_of_scope) per text."""
        if self.model is not None:
            clf = self.model.classifier
            threshold = None if self.policy.use_model_threshold else self.policy.min_confidence
            return [(p.label, p.confidence, clf.out_of_scope(p, threshold))
                    for p in clf.predict(texts, vectors)]
        assert self.zero_shot is not None
        out: list[tuple[str | None, float, bool]] = []
        for p in self.zero_shot.predict(vectors):
            unsure = (p.similarity < self.zero_shot.min_similarity
                      or p.confidence < self.policy.min_confidence)
            out.append((p.label, p.confidence, unsure))
        return out or [(None, 0.0, True)] * len(texts)

    def _decide(self, text: str, sig: Signals, mood: Sentiment,
                cat: tuple[str | None, float, bool], at: datetime) -> Analysis:
        category, confidence, out_of_scope = cat
        language = sig.language or detect_language(text, self.languages)
        topic = self._topic(text)
        mood_score = score(text, mood.negative, recent_contacts=sig.recent_contacts,
                           sensitive=[topic] if topic else [])
        reason = self._reason(topic, mood_score, sig.tier, out_of_scope)
        hours = self.policy.escalation.business_hours
        open_now = hours.is_open(at)
        queue = route(self.policy, Contact(language, None if out_of_scope else category,
                                           sig.tier, topic), sig.load)
        return Analysis(
            category=None if out_of_scope else category, confidence=confidence,
            out_of_scope=out_of_scope,
            priority=self._priority(category if not out_of_scope else None, topic, mood_score,
                                    sig.tier),
            language=language, sentiment=mood, frustration=mood_score,
            escalate=reason is not None, reason=reason, queue=queue, within_hours=open_now,
            next_open=None if open_now else hours.next_open(at), classifier=self.classifier)

    def _topic(self, text: str) -> str | None:
        """The first sensitive topic of the policy the message touches."""
        for name, topic in self.policy.escalation.sensitive_topics.items():
            patterns = topic.compiled or ([RULES[name]] if name in RULES else [])
            if any(p.search(text) for p in patterns):
                return name
        return None

    def _reason(self, topic: str | None, mood: Frustration, tier: str | None,
                out_of_scope: bool) -> str | None:
        rules = self.policy.escalation
        if topic is not None:
            return topic
        if "requested_human" in mood.codes:  # the frustration score already looked
            return "requested_human"
        limit = (rules.vip_frustration_threshold if self.policy.is_vip(tier)
                 else rules.frustration_threshold)
        if mood.score >= limit:
            return "frustration"
        if out_of_scope and rules.out_of_scope_to_human:
            return "out_of_scope"
        return None

    def _priority(self, category: str | None, topic: str | None, mood: Frustration,
                  tier: str | None) -> Priority:
        rules = self.policy.priorities
        level = PRIORITIES.index(rules.by_category.get(category or "", rules.default))
        if topic is not None:
            level = max(level, PRIORITIES.index(rules.sensitive))
        if mood.score >= self.policy.escalation.frustration_threshold:
            level = max(level, PRIORITIES.index(rules.frustrated))
        if rules.vip_bump and self.policy.is_vip(tier):
            level = min(level + 1, len(PRIORITIES) - 1)
        return PRIORITIES[level]
