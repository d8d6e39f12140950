"""A streamed reply, guarded sentence by sentence: nothing reaches the customer unchecked.

The model's deltas are buffered until a sentence is complete; each sentence then goes through
``GroundingChecker.check_sentence`` (output policy, language, restating the question, support
by a passage) and is passed on, with its citation mark, only if it passed. A sentence the guard
drops is never sent, not even in part; the model's ``NO_ANSWER`` is never shown. Given the
question, sentences that passed are held back until one supported sentence is close enough to
the question (``GroundingChecker.min_answer_relevance``) and, when the question asks how long
or how much and a passage says it, one gives a time or an amount (``answer_kind``): a reply
that never gets there is ``off_topic`` and none of it is shown. At the end ``verdict`` sums
the sentences up by the rules of ``GroundingChecker.check``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cxrag.compose.context import Passage
from cxrag.embed.base import Vectors
from cxrag.guard.asked import Kind, gives
from cxrag.guard.grounding import (
    ACCOUNT,
    CASE,
    NO_ANSWER,
    Citation,
    Grounding,
    GroundingChecker,
    SentenceVerdict,
    refutes,
)
from cxrag.ingest.tickets import is_ticket
from cxrag.text import finished, split_sentences, states_fact


@dataclass
class GuardedStream:
    """Feed it deltas; it returns the sentences that may be shown, as they complete."""

    checker: GroundingChecker
    passages: Sequence[Passage]
    question: str | None = None
    question_vector: Vectors | None = None
    language: str | None = None
    languages: Sequence[str] = ()
    _buffer: str = ""
    _seen: set[str] = field(default_factory=set)
    _verdicts: list[tuple[str, SentenceVerdict]] = field(default_factory=list)
    _abstained: bool = False
    _refuted: bool = False  # an unsupported verdict first, or the customer's case as a condition
    _held: list[str] = field(default_factory=list)  # passed, waiting for an on-topic one
    _relevances: list[float] = field(default_factory=list)  # shown factual sentences' cosines
    _asks: Kind | None = field(default=None, init=False)  # what the question asks (fixed)
    _gave: bool = False  # a passed sentence gave what the question asks for (a time, an amount)
    _from_article: bool = False  # a passed factual sentence rests on more than a past ticket
    _before: str | None = None  # the sentence just judged, when it was supported
    _given: list[str] = field(default_factory=list)  # the passed factual sentences
    _backing: set[int] = field(default_factory=set)  # the numbers of the passages behind them

    def __post_init__(self) -> None:
        self._asks = self.checker.asked(self.question, self.passages)

    @property
    def _relevance(self) -> float | None:
        """The best cosine of a shown factual sentence to the question (None without one)."""
        return None if self.question is None else max(self._relevances, default=-1.0)

    @property
    def _on_topic(self) -> bool:
        return (not self.checker.off_topic(self._relevance)
                and (self._gave or self._asks is None)
                and not self.checker.elsewhere(self.question, self._given)
                and not self.checker.unnamed(self.question, [
                    p for p in self.passages if p.number in self._backing])
                and (self._from_article or not self.checker.articles_required))

    def feed(self, delta: str) -> list[str]:
        """The sentences ``delta`` completed that passed the guard (with their marks)."""
        self._buffer = (self._buffer + delta).replace("\n", " ")
        parts = split_sentences(self._buffer)
        if len(parts) < 2:
            return []
        self._buffer = self._buffer[self._buffer.rfind(parts[-1]):]  # spaces kept
        return self._judge(parts[:-1])

    def finish(self, *, cut: bool = False) -> list[str]:
        """What the last, unterminated sentence adds, once the model has stopped. When the
        model was ``cut`` off at its token limit, a sentence without an end is completed
        from the passage it copies, else dropped after a sentence that stated a fact, else
        marked as cut (``cxrag.text.finished``)."""
        rest, self._buffer = self._buffer, ""
        if cut:
            rest = finished(rest, [p.text for p in self.passages],
                            after_fact=any(map(states_fact, self._seen)))
        return self._judge(split_sentences(rest))

    def _judge(self, sentences: list[str]) -> list[str]:
        shown = []
        for sentence in sentences:
            key = sentence.strip().lower()
            if not key or key in self._seen or self._abstained or self._refuted:
                continue  # small models repeat themselves; after NO_ANSWER nothing counts
            self._seen.add(key)
            if key.upper().startswith(NO_ANSWER) and not self._verdicts:
                self._abstained = True
                continue
            verdict = self.checker.check_sentence(
                sentence, self.passages, question=self.question,
                question_vector=self.question_vector, language=self.language,
                languages=self.languages, before=self._before)
            self._before = sentence if verdict.text and verdict.factual else None
            if (verdict.factual and verdict.reason == "unsupported"
                    and not any(v.factual for _, v in self._verdicts)
                    and refutes(sentence)) or (verdict.detail or "").startswith(CASE):
                # "Yes, it is still under warranty." unsupported, or a passage's rule made
                # the customer's case ("Si tienes el carnet en vigor, ..."): nothing after it
                # counts, and the reply fails whole (what was shown is replaced by the handoff)
                self._refuted = True
            self._verdicts.append((sentence, verdict))
            if verdict.text:
                if verdict.relevance is not None:
                    self._relevances.append(verdict.relevance)
                self._held.append(verdict.text)
                if verdict.factual:
                    self._given.append(verdict.text)
                    # no citation: the customer's own data
                    self._backing.add(ACCOUNT if verdict.citation is None
                                      else verdict.citation.number)
                self._gave = self._gave or (verdict.factual and self._asks is not None
                                            and gives(verdict.text, self._asks,
                                                      self.question or ""))
                self._from_article = self._from_article or (verdict.factual and (
                    verdict.citation is None or not is_ticket(verdict.citation.document_id)))
                if self._on_topic:
                    shown += self._held
                    self._held = []
        return shown

    def verdict(self) -> Grounding:
        """The whole reply's verdict: what was shown, its citations, the supported share."""
        if self._abstained or not self._verdicts:
            return Grounding(False, "", reason="no_answer")
        verdicts = [v for _, v in self._verdicts]
        shown = [v for v in verdicts if v.text] if self._on_topic else []
        factual = [v for v in verdicts if v.factual and v.reason in (None, "unsupported")]
        supported = [v for v in factual if v.text]
        share = len(supported) / len(factual) if factual else 0.0
        grounded = bool(factual) and share >= self.checker.min_supported_share
        reason = None if grounded else self._reason(factual)
        if grounded and not self._on_topic:
            grounded, reason = False, "off_topic"
        if self._refuted:
            grounded, reason, shown = False, "unsupported", []
        cited: dict[int, Citation] = {}
        for v in shown:
            if v.citation is not None:
                cited.setdefault(v.citation.number, v.citation)
        return Grounding(
            grounded, " ".join(v.text or "" for v in shown),
            sorted(cited.values(), key=lambda c: c.number), len(supported), len(factual),
            [s for s, v in self._verdicts if v.reason == "unsupported"], reason,
            [(s, v.violation or "") for s, v in self._verdicts if v.reason == "unsafe"],
            relevance=self._relevance)

    def _reason(self, factual: list[SentenceVerdict]) -> str:
        """Why the reply is not grounded, as ``check`` would say."""
        reasons = {v.reason for _, v in self._verdicts}
        if not factual and "unsafe" in reasons:
            return "unsafe"
        if not factual and reasons == {"wrong_language"}:
            return "wrong_language"
        return "unsupported"
