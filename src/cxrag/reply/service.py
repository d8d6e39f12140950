"""From a customer's message to a grounded, cited reply, or an honest handoff.

    message -> (condense with the conversation) -> retrieve -> pack passages -> compose prompt
            -> generate -> guard (grounding, citations) -> Reply

The rungs a reply can land on, best first: ``generated`` (the model's answer, every factual
sentence checked against the passages sent); ``extractive`` (the model abstained or its answer
failed the guard, but a passage sentence is close to the question: that sentence, cited,
translated by a short model call and checked again when the languages differ, with the offer of
a person); ``handoff`` (nothing reliable to say). Whatever goes wrong downstream of retrieval
(model down, timeout), the customer gets the most relevant passages, cited, and a handoff to a
person (``fallback``); never an invented answer and never a 500.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import structlog

from cxrag.compose.context import ContextPacker, Passage
from cxrag.compose.prompts import PromptLibrary
from cxrag.cx.triage import Analysis, Triage
from cxrag.errors import LLMError
from cxrag.generate.client import ChatModel, ChatResult
from cxrag.generate.control import CallControl
from cxrag.guard.escalation import Escalation, must_escalate
from cxrag.guard.grounding import (
    NO_ANSWER,
    Citation,
    Grounding,
    GroundingChecker,
    account_passage,
)
from cxrag.guard.streaming import GuardedStream
from cxrag.language import detect_language
from cxrag.metrics import HANDOFFS, REPLIES
from cxrag.reply.account import (
    asked_period,
    asks_status,
    mentioned_order,
    order_sentence,
    period_lines,
    period_quote,
    states_asked_period,
)
from cxrag.reply.extractive import Extractor, compose, needs_translation, translated, wrap
from cxrag.reply.handoff import (
    fallback_text,
    person_text,
    signals,
    summarised_handoff,
    wrap_offer,
)
from cxrag.reply.models import (
    Handoff,
    Prepared,
    Reply,
    ReplyRequest,
    customer_variables,
    earlier_turns,
    trace,
)
from cxrag.reply.pivot import Pivot, pivot_language
from cxrag.retrieve.hybrid import HybridRetriever
from cxrag.text import finished
from cxrag.textnorm import without_introduction

log = structlog.get_logger(__name__)
LANGUAGE_NAMES = {"es": "Spanish", "en": "English"}


class Responder:
    """Composes the stages; one per collection, shared by requests (thread-safe)."""

    def __init__(self, retriever: HybridRetriever, chat: ChatModel, prompts: PromptLibrary,
                 packer: ContextPacker, checker: GroundingChecker, model_name: str,
                 k: int = 10, max_tokens: int = 200, cpu_slots: int = 0,
                 triage: Triage | None = None, extractor: Extractor | None = None,
                 pivot: bool = False, min_relevance: float = 0.0) -> None:
        self.retriever, self.chat, self.prompts = retriever, chat, prompts
        self.triage, self.extractor = triage, extractor
        self.pivot = Pivot(chat, prompts, LANGUAGE_NAMES, max_tokens) if pivot else None
        self.packer, self.checker, self.model_name = packer, checker, model_name
        self.k, self.max_tokens, self.min_relevance = k, max_tokens, min_relevance
        # CPU-bound stages (retrieval, packing, the grounding check) run at most one per core:
        # more threads only fight over the GIL and the cores (measured: 27 ms of CPU a request
        # alone, 39 ms with 8 at once). Waiting on the model holds no slot.
        self._cpu = threading.BoundedSemaphore(cpu_slots or os.cpu_count() or 1)

    def reply(self, req: ReplyRequest, *, control: CallControl | None = None) -> Reply:
        """Answer ``req`` (see the module docstring for what happens when anything fails);
        ``control`` bounds every model call of this reply by one deadline."""
        started = time.perf_counter()
        analysis, escalation = self.decide(req)
        prepared = self.prepare(req, condense=escalation is None, analysis=analysis,
                                control=control)
        if escalation is not None:
            return self._finish(self._escalated(prepared, escalation), started, prepared)
        usage: dict[str, int] = {}
        try:
            text = NO_ANSWER if prepared.nothing_found else \
                self._generate(prepared, usage, control)
        except LLMError as exc:
            log.warning("reply.llm_failed", error=exc.code, detail=exc.detail)
            return self._finish(self._fallback(prepared, "llm_unavailable"), started, prepared)
        verdict = self._check(prepared, text)
        reply = self._personal(prepared, self._conclude(prepared, verdict, usage, control))
        return self._finish(reply, started, prepared, text, verdict)

    def _generate(self, prepared: Prepared, usage: dict[str, int],
                  control: CallControl | None) -> str:
        """The model's answer: through the passages' language when they are all in the other
        one and pivoting is on (see ``reply.pivot``), else straight from the prompt."""
        target = None if self.pivot is None else pivot_language(
            prepared.passages, prepared.language, list(LANGUAGE_NAMES))
        if self.pivot is not None and target is not None:
            req = prepared.request
            return self.pivot.answer(
                question=req.message, language=prepared.language, target=target,
                version=prepared.version, passages=prepared.passages, usage=usage,
                control=control, variables={
                    "customer": customer_variables(req.customer),
                    "history": [{"role": t.role, "text": t.text} for t in req.history]})
        result = self.chat.complete(prepared.messages, max_tokens=self.max_tokens,
                                    control=control)
        usage.update(result.usage)
        return self._ended(prepared, result)

    def _ended(self, prepared: Prepared, result: ChatResult) -> str:
        """The model's text; when it stopped at the token limit mid-sentence, its last
        sentence is completed from the passage it copies word for word, else dropped, or
        kept and marked "…" when no sentence before it states a fact
        (``cxrag.text.finished``)."""
        if not self._cut(result.usage):
            return result.text
        return finished(result.text, [p.text for p in prepared.passages])

    def _cut(self, usage: dict[str, int]) -> bool:
        """Whether the model stopped at the token limit (its last sentence may be cut)."""
        return usage.get("output_tokens", 0) >= self.max_tokens

    def stream(self, req: ReplyRequest, *,
               control: CallControl | None = None) -> Iterator[str | Reply]:
        """Sentences of the answer as soon as each has passed the guard (never raw model
        text), then the checked ``Reply``, whose ``answer`` replaces them: the same sentences,
        or the handoff text. Any failure of the model, however it fails, ends in the
        fallback reply."""
        started = time.perf_counter()
        analysis, escalation = self.decide(req)
        prepared = self.prepare(req, condense=escalation is None, analysis=analysis,
                                control=control)
        if escalation is not None:
            yield self._finish(self._escalated(prepared, escalation), started)
            return
        guarded = GuardedStream(self.checker, self._checked(prepared),
                                question=prepared.question,
                                question_vector=prepared.question_vector,
                                language=prepared.language, languages=list(LANGUAGE_NAMES))
        usage: dict[str, int] = {}
        pivoting = self.pivot is not None and pivot_language(
            prepared.passages, prepared.language, list(LANGUAGE_NAMES)) is not None
        try:
            # A pivoted answer exists only once translated back: it is checked as one piece.
            deltas = iter([NO_ANSWER]) if prepared.nothing_found else \
                iter([self._generate(prepared, usage, control)]) if pivoting else \
                self.chat.stream(prepared.messages, max_tokens=self.max_tokens, usage=usage,
                                 control=control)
            for delta in deltas:
                with self._cpu:
                    sentences = guarded.feed(delta)
                yield from sentences
            with self._cpu:
                sentences = guarded.finish(cut=self._cut(usage))
            yield from sentences
        except LLMError as exc:
            log.warning("reply.llm_failed", error=exc.code, detail=exc.detail, streamed=True)
            yield self._finish(self._fallback(prepared, "llm_unavailable"), started)
            return
        yield self._finish(self._personal(prepared, self._conclude(
            prepared, guarded.verdict(), usage, control)), started)

    # -- stages -------------------------------------------------------------------------------
    def decide(self, req: ReplyRequest) -> tuple[Analysis | None, Escalation | None]:
        """Triage the message and decide whether it goes straight to a person (sensitive
        topics, a request for a person, frustration above the policy's threshold); without
        a triage policy, the built-in rules alone decide."""
        if self.triage is None:
            return None, must_escalate(req.message)
        with self._cpu:
            analysis = self.triage.analyse(req.message,
                                           signals(req.customer, self._language(req)))
        if analysis.urgent_handoff and analysis.reason is not None:
            return analysis, Escalation(analysis.reason, "; ".join(
                r.detail for r in analysis.frustration.reasons[:3]) or analysis.reason)
        return analysis, None

    def prepare(self, req: ReplyRequest, *, condense: bool = True,
                analysis: Analysis | None = None, control: CallControl | None = None,
                prompt: str = "answer", variables: dict[str, Any] | None = None) -> Prepared:
        """Everything before generation: language, standalone question, passages, prompt.
        ``condense=False`` searches with the message as written (no model call to rewrite a
        follow-up: for a message that goes to a person anyway). ``prompt`` and its
        ``variables`` (besides ``language`` and ``passages``) replace the answer prompt, e.g.
        an agent's draft."""
        language = analysis.language if analysis is not None else self._language(req)
        # The question without the customer's name: the same answer whoever asks.
        req = replace(req, message=without_introduction(req.message))
        version = req.prompt_version or self.prompts.default_version
        self.prompts.texts(version)  # a version without its texts fails now, not at a handoff
        question = self._standalone(req, version, control) if condense else req.message
        with self._cpu:
            vector = self.retriever.embedder.embed_query(question)  # once, for every stage
            found = self.retriever.search(question, k=self.k, filters=req.filters,
                                          group_by_document=False, vector=vector,
                                          context=earlier_turns(req))
            # Nothing relevant found: no passages, and no model call unless the customer's
            # own data may answer; a person takes it.
            below = found.relevance is not None and found.relevance < self.min_relevance
            hits = [] if below else found.hits
            country = req.customer.country if req.customer is not None else None
            passages = self.packer.pack(hits, question, vector, country) if hits else []
            period = self._period_passage(req, version, language, passages)
            passages = passages if period is None else [*passages, period]
        nothing = below and not (req.customer is not None and req.customer.facts)
        if variables is None:
            variables = {"question": req.message, "customer": customer_variables(req.customer),
                         "history": [{"role": t.role, "text": t.text} for t in req.history]}
        messages = self.prompts.get(prompt, version).render(
            **variables, language=LANGUAGE_NAMES.get(language, "English"),
            passages=[{"title": p.title, "text": p.text} for p in passages])
        return Prepared(req, language, version, question, passages, messages, vector, analysis,
                        tuple(dict.fromkeys(h.document_id for h in hits)), nothing, period)

    def _period_passage(self, req: ReplyRequest, version: str, language: str,
                        passages: list[Passage]) -> Passage | None:
        """To a question about a return or warranty period ("can I still return the tv?",
        "¿cuántos días tengo para devolver una freidora?") that ``passages`` do not answer,
        the help centre's lines that state it (``reply.account.period_lines``: for the
        customer's tier and country when known), found by the version's search for the
        topic (its ``search_<topic>_period`` text), as one more passage; else None. The
        question's own search ranks the policy low when it names a product ("el router", "a
        blender"): the product's pages come first."""
        customer, texts = req.customer, self.prompts.texts(version)
        topic = asked_period(req.message)
        key = f"search_{topic}_period"
        tier = customer.tier if customer is not None else None
        if (topic is None or not texts.has(language, key)
                or states_asked_period(req.message, passages, language, tier)):
            return None
        query = texts.say(language, key)
        found = self.retriever.search(query, k=self.k, filters=req.filters,
                                      group_by_document=False,
                                      vector=self.retriever.embedder.embed_query(query))
        lines = period_lines(req.message, found.hits, language, tier,
                             customer.country if customer is not None else None)
        if lines is None:
            return None
        hit, said = lines
        text = " ".join(said)
        return Passage(len(passages) + 1, hit.document_id, hit.chunk_id, hit.title, hit.source,
                       text, hit.language, hit.score, self.packer.count(text))

    def _language(self, req: ReplyRequest) -> str:
        return self.detect(req.message,
                           req.locale or (req.customer.locale if req.customer else None))

    @staticmethod
    def detect(text: str, locale: str | None = None) -> str:
        """The reply language: the text's own, else the locale's, else Spanish."""
        found = detect_language(text, list(LANGUAGE_NAMES))
        if found in LANGUAGE_NAMES:
            return found
        hint = (locale or "es")[:2]
        return hint if hint in LANGUAGE_NAMES else "es"

    def _standalone(self, req: ReplyRequest, version: str,
                    control: CallControl | None = None) -> str:
        """The message rewritten without its conversation (only when there is one)."""
        if not req.history:
            return req.message
        messages = self.prompts.get("condense", version).render(
            question=req.message,
            history=[{"role": t.role, "text": t.text} for t in req.history[-6:]])
        try:
            rewritten = self.chat.complete(messages, max_tokens=64, control=control).text.strip()
        except LLMError:
            rewritten = ""
        rewritten = _LABEL.sub("", rewritten.splitlines()[0] if rewritten else "").strip()
        # A model that rambles or fails: search with the message and the last customer turn.
        if not rewritten or len(rewritten) > 4 * len(req.message) + 200:
            last = next((t.text for t in reversed(req.history) if t.role == "customer"), "")
            return f"{last} {req.message}".strip()
        return rewritten

    def complete(self, prepared: Prepared, *,
                 control: CallControl | None = None) -> tuple[str, Grounding]:
        """The model's text for ``prepared``'s prompt as rendered (no pivot) and the guard's
        verdict on it; ``LLMError`` when the model fails."""
        result = self.chat.complete(prepared.messages, max_tokens=self.max_tokens,
                                    control=control)
        text = self._ended(prepared, result)
        return text, self._check(prepared, text)

    def _check(self, prepared: Prepared, text: str) -> Grounding:
        with self._cpu:
            return self.checker.check(
                text, self._checked(prepared), question=prepared.question,
                question_vector=prepared.question_vector,
                language=prepared.language, languages=list(LANGUAGE_NAMES))

    @staticmethod
    def _checked(prepared: Prepared) -> list[Passage]:
        """What a reply may be supported by: the passages sent, and the customer's own data."""
        passages = list(prepared.passages)
        customer = prepared.request.customer
        if customer is not None and customer.facts:
            passages.append(account_passage(customer.id, customer.facts, prepared.language))
        return passages

    def _conclude(self, prepared: Prepared, verdict: Grounding, usage: dict[str, int],
                  control: CallControl | None = None) -> Reply:
        """The reply for a guard verdict: the checked answer, the passages' own sentences
        (when the model abstained or failed the guard and retrieval is confident), or a
        handoff."""
        if verdict.unsafe:  # a poisoned passage or a manipulated model: worth an alert
            log.warning("reply.unsafe_dropped", codes=sorted({c for _, c in verdict.unsafe}),
                        passages=[p.document_id for p in prepared.passages])
        if verdict.grounded:
            return Reply(verdict.answer, verdict.citations, True, None, prepared.language,
                         prepared.version, self.model_name, usage, question=prepared.question,
                         passages=prepared.passages, analysis=prepared.analysis)
        reason = {"no_answer": "no_answer", "no_passages": "no_answer",
                  "wrong_language": "wrong_language", "unsafe": "unsafe"}.get(
                      verdict.reason or "", "ungrounded")
        texts = self.prompts.texts(prepared.version)
        if reason in ("no_answer", "ungrounded", "wrong_language") and verdict.reason != \
                "no_passages":
            if (period := prepared.period) is not None:  # the lines the question asked for
                log.info("reply.period", document=period.document_id)
                return Reply(wrap(texts, f"{period.text} [{period.number}]", prepared.language),
                             [Citation(period.number, period.document_id, period.title,
                                       period.source, period.text[:300])], True, None,
                             prepared.language, prepared.version, self.model_name, usage,
                             question=prepared.question, passages=prepared.passages,
                             analysis=prepared.analysis, rung="extractive")
            extracted = self._extractive(prepared, usage, control)
            if extracted is not None:
                return extracted
        return Reply(person_text(texts, prepared.language, prepared.analysis, "handoff"), [],
                     False, self._handoff(prepared, reason), prepared.language, prepared.version,
                     self.model_name, usage, question=prepared.question,
                     passages=prepared.passages, analysis=prepared.analysis, rung="handoff")

    def _personal(self, prepared: Prepared, reply: Reply) -> Reply:
        """The reply opened by what the store says of the order the question is about (see
        ``reply.account``), and, to "is it still under warranty?", by the passages' one
        sentence that gives that period from delivery, cited; when the passages gave nothing
        else, those sentences alone with the offer of a person, if the question asks what
        they tell (a period, or where the order is, whether it arrived), else the handoff
        opened by the order's sentence. Escalations, unsafe replies and the fallback stay as
        they are."""
        customer = prepared.request.customer
        if customer is None or not customer.orders or reply.rung not in (
                "generated", "extractive", "handoff") or (
                reply.handoff is not None and reply.handoff.reason == "unsafe"):
            return reply
        message = prepared.request.message
        order = mentioned_order(message, customer.orders)
        if order is None or order.id in reply.answer:
            return reply
        sentence = order_sentence(order, prepared.language)
        texts = self.prompts.texts(prepared.version)
        quote = period_quote(message, prepared.passages, prepared.language, customer.tier)
        if quote is not None and quote[1] not in reply.answer:
            passage, period = quote
            sentence = f"{sentence} {period} [{passage.number}]"
            citations = reply.citations if any(
                c.number == passage.number for c in reply.citations) else [Citation(
                    passage.number, passage.document_id, passage.title, passage.source,
                    period[:300]), *reply.citations]
            if reply.rung == "handoff":
                return replace(reply, answer=wrap_offer(texts, sentence, prepared.language),
                               citations=citations, grounded=True, handoff=None,
                               rung="account")
            return replace(reply, answer=f"{sentence} {reply.answer}", citations=citations)
        if reply.rung == "handoff" and asks_status(message):
            return replace(reply, answer=wrap_offer(texts, sentence, prepared.language),
                           grounded=True, handoff=None, rung="account")
        return replace(reply, answer=f"{sentence} {reply.answer}")

    def _extractive(self, prepared: Prepared, usage: dict[str, int],
                    control: CallControl | None) -> Reply | None:
        """The extractive rung (see the module docstring), or None: retrieval is not
        confident, or a needed translation failed or did not pass the guard."""
        if self.extractor is None or prepared.question_vector is None:
            return None
        with self._cpu:
            extracts = self.extractor.pick(prepared.passages, prepared.question_vector,
                                              prepared.question)
        if not extracts:
            return None
        language, languages = prepared.language, list(LANGUAGE_NAMES)
        if not needs_translation(extracts, language, languages):
            answer = compose(self.prompts.texts(prepared.version), extracts, language)
        else:
            source = " ".join(e.sentence for e in extracts)
            messages = self.prompts.get("translate", prepared.version).render(
                language=LANGUAGE_NAMES.get(language, "English"), text=source)
            try:
                result = self.chat.complete(messages, max_tokens=160, control=control)
            except LLMError as exc:
                log.info("reply.extractive.translation_failed", error=exc.code)
                return None
            for key, value in result.usage.items():
                usage[key] = usage.get(key, 0) + value
            with self._cpu:
                checked = self.checker.check(
                    result.text, [extracts[0].passage], language=language,
                    languages=languages)
            if not checked.grounded or checked.unsupported or checked.unsafe:
                log.info("reply.extractive.translation_rejected",
                         unsupported=len(checked.unsupported), reason=checked.reason)
                return None
            answer = translated(self.prompts.texts(prepared.version), checked.answer,
                                checked.citations, language)
        log.info("reply.extractive", similarity=round(extracts[0].similarity, 3),
                 translated=answer.translated, document=extracts[0].passage.document_id)
        return Reply(answer.text, answer.citations, True, None, language, prepared.version,
                     self.model_name, usage, question=prepared.question,
                     passages=prepared.passages, analysis=prepared.analysis,
                     rung="extractive")

    def _escalated(self, prepared: Prepared, found: Escalation) -> Reply:
        """A handoff without asking the model: the message must go to a person."""
        log.info("reply.escalated", reason=found.reason, match=found.match)
        texts = self.prompts.texts(prepared.version)
        return Reply(person_text(texts, prepared.language, prepared.analysis, "escalate"), [],
                     False, self._handoff(prepared, found.reason), prepared.language,
                     prepared.version, self.model_name, question=prepared.question,
                     passages=prepared.passages, analysis=prepared.analysis, rung="escalated")

    def _fallback(self, prepared: Prepared, reason: str) -> Reply:
        """The best passages, cited, and a handoff: what a customer gets when the model fails."""
        text, citations = fallback_text(self.prompts.texts(prepared.version),
                                        prepared.passages, prepared.language,
                                        prepared.analysis, self.checker.safe)
        return Reply(text, citations, False, self._handoff(prepared, reason),
                     prepared.language, prepared.version, self.model_name,
                     question=prepared.question, passages=prepared.passages,
                     analysis=prepared.analysis, rung="fallback")

    def _handoff(self, prepared: Prepared, reason: str) -> Handoff:
        """The handoff, its summary built from the request (see ``summarised_handoff``)."""
        req = prepared.request
        return summarised_handoff(
            self.prompts.texts(prepared.version), reason, req.customer, prepared.language,
            req.message, turns=[f"{t.role}: {t.text}" for t in req.history[-3:]],
            articles=[p.title for p in prepared.passages[:3]], analysis=prepared.analysis)

    @staticmethod
    def _finish(reply: Reply, started: float, prepared: Prepared | None = None,
                text: str | None = None, verdict: Grounding | None = None) -> Reply:
        """The reply with its latency, and its trace when ``prepared`` is given."""
        reply.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        REPLIES.labels(reply.rung).inc()
        if reply.handoff is not None:
            HANDOFFS.labels(reply.handoff.reason,
                            "escalation" if reply.rung == "escalated" else "handoff").inc()
        if prepared is not None:
            reply.trace = trace(prepared, text, verdict)
        reply.trace["rung"] = reply.rung
        return reply


_LABEL = re.compile(r"^(?:standalone question|pregunta(?: independiente)?)\s*:\s*", re.I)
