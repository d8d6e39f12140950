"""Grounding: is every factual sentence of a reply backed by a passage that was retrieved?

Small local models seldom write ``[n]`` marks reliably, so marks are only a hint. Each factual
sentence is compared with the sentences of the passages that were sent (embedding cosine, with
the configured multilingual embedder, so a Spanish reply is checked against an English
article); a sentence is supported when its closest passage sentence is similar enough, and that
passage becomes its citation, quoted by that sentence. Marks pointing at a passage that was not
sent are dropped: a citation can only ever name a document that was retrieved.

Similar is not the same: "14 days" reads like "30 days", "Luma Cam" like "Luma Plug". So a
passage supports a sentence only when it also states the sentence's figures, quantities,
amounts, times, months and weekdays, names and step labels (``cxrag.guard.facts``); the
customer's own data (passage ``ACCOUNT``) may state them too. A figure that only one column
of a table row states, beside other columns' figures of its kind ("Monthly price — Cloud
Basic: $1.49; Cloud Plus: $2.99; ..."), counts only when the sentence or the customer names
that column (``facts.unbound``): "the plan that keeps a month costs $1.49" read the wrong
column. Of the passages close enough, the closest that states them all is the citation; when
none does, ``Grounding.reasons`` says why ("figure 14 not in passage 2"). The thresholds are
calibrated on a hand-labelled set (``cxrag.evals.guard_calibration``,
``benchmarks/guard_calibration.py``). Too few supported sentences, or the model's own
``NO_ANSWER``, make the reply ungrounded, and the caller hands over to a human.

Supported is not the same as answering either: a small model that cannot find the answer often
copies a passage sentence about something else ("we give students 10% off" to a question about
a senior discount), which every passage check passes. So, given the question, a reply is
``off_topic`` (not grounded) unless one of its supported sentences is close enough to the
question (``min_answer_relevance``, calibrated on public sets by
``benchmarks/answer_relevance.py``).

Nor may a reply take its topic from the question instead of the passage: asked "do you offer a
senior discount?" over a passage on the student discount, a small model writes "Yes, we offer
a senior discount [1]", close enough to the passage and with no figure to check. So, given
the question, a passage in the sentence's language supports it only when it also has the
question's words that the sentence repeats (``question_terms``: content words, a crude
5-letter stem, ``cxrag.textnorm.content_words``); "senior" in the question and the reply but
not in the passage makes the sentence unsupported ("the question's 'senior' not in passage
1"). A sentence that states a figure is left to the figure checks: its figure must be the
passage's, and the customer's words around it ("ya hice mi pedido ... tengo 48 horas") are
no claim. Only the question's asking sentences count ("is there a refer a friend bonus?"),
not the customer's case around them ("Devolví unos auriculares.", "Tengo 81 años."), which a
right answer may repeat; nor does a leading clause that sets the question up before the
answer ("Para gestionar las pulsaciones de teclas repetidas, puedes ajustar el retardo").

With an ``OutputPolicy``, every sentence is first judged for safety (foreign links, requests for
credentials, leaked instructions, active markup): one that breaks a rule is dropped before the
support check, so it is never shown and never counts, and is listed in ``Grounding.unsafe``.
``check_sentence`` gives the same verdict for one sentence, for a streamed reply that shows
each sentence only once it has passed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from cxrag.compose.context import Passage
from cxrag.embed.base import Embedder, Vectors
from cxrag.embed.cache import SentenceVectors
from cxrag.guard.asked import Kind, asked, gives
from cxrag.guard.facts import (
    DateBounds,
    LabelledValues,
    NumberedLabels,
    PassageFacts,
    Table,
    asked_names,
    date_bounds,
    denied,
    labelled_values,
    misdated,
    mislabelled,
    misplaced,
    numbered_labels,
    other_topic,
    passage_facts,
    table,
    unbound,
    unbounded_dates,
    undenied,
    unstated,
)
from cxrag.guard.places import elsewhere
from cxrag.guard.safety import OutputPolicy
from cxrag.guard.vocab import GREETING, SPELLED
from cxrag.ingest.tickets import is_ticket
from cxrag.language import in_language
from cxrag.text import split_sentences, states_fact
from cxrag.textnorm import content_words, fold

NO_ANSWER = "NO_ANSWER"
FAR = "no passage close enough"  # the start of the reason when no passage sentence is close
CASE = "the customer's case"  # the start of the reason for a condition made of it
# What ``_support`` reads once per passage and reply: its facts, its content words, its
# labelled values, its table, its months bound by spans of dates, the kinds of limit or fee
# it names without denying them
Seen = tuple[PassageFacts, set[str], LabelledValues, Table, DateBounds, frozenset[str],
             NumberedLabels]
_MARK = re.compile(r"\s*\[(\d{1,2})\]")
_WORD = re.compile(r"\w+")
_LEAD = re.compile(r"^[^\w¿¡\"'(]+")  # stray punctuation before a sentence
_LIST = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])(?:\s+|$)")  # "1. ", "2)" or "- " list markers
ECHO = 0.9  # a sentence this close to the question restates it: no answer, dropped
MAX_ECHO_PARTS = 24  # sentences of a message compared one by one for echoes, at most
# a leading clause that sets the question up ("Para gestionar las teclas repetidas, ...", "If
# your parcel is late, ..."): its words are the question's by design, the answer follows it
_PREFACE = re.compile(r"^\s*(?:para|si|cuando|to|if|when|in order to)\b[^,.;:]{1,120},",
                      re.IGNORECASE)
# the same clause as a condition ("If your parcel is late, ..."): the passage must tie what
# follows to it (see ``_unbound_condition``)
_IF_WHEN = re.compile(r"^\s*(?:si|cuando|if|when)\b[^,.;:]{1,120},", re.IGNORECASE)
# A sentence that opens with the reply's verdict on a yes/no question ("Yes, it is still under
# warranty.", "No, ...", "Sí, ...", "Claro, ..."): when the first factual sentence is one and
# no passage supports it, what follows is background for a verdict that fails (see ``check``)
_VERDICT = re.compile(r"^(?:yes|yeah|yep|no|nope|s[ií]|claro|of course|sure|certainly|"
                      r"por supuesto|desde luego)\s*[,.!;:]", re.I)
ACCOUNT = 0  # number of the passage holding the customer's own data (see account_passage)
# Calibrated on evals/guard/labelled.yaml (benchmarks/guard_calibration.py), near-miss rules
# on: no threshold reaches precision 0.95 there (what slips through are half-supported and
# generic sentences, which no threshold separates), so the best F0.5 on the even-indexed
# items. GuardSettings repeats these defaults.
MIN_SUPPORT = 0.375
MIN_SUPPORTED_SHARE = 0.6
# Cosine to the question that one supported sentence of a reply must reach (off_topic below
# it); chosen on the public reply sets, golden set held out (benchmarks/answer_relevance.py).
MIN_ANSWER_RELEVANCE = 0.2
# How far below the passage sentence closest to a reply sentence another may be and still
# count as saying the same thing, for ``flipped``
POLARITY_MARGIN = 0.05
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


@dataclass(frozen=True)
class Citation:
    """A retrieved passage that supports part of the reply."""

    number: int
    document_id: str
    title: str
    source: str
    quote: str


@dataclass
class Grounding:
    """The verdict on one reply."""

    grounded: bool
    # the reply with valid marks only, one per supported sentence; when grounded, its
    # unsupported sentences are left out (what the customer may read)
    answer: str
    citations: list[Citation] = field(default_factory=list)
    supported: int = 0
    factual: int = 0
    unsupported: list[str] = field(default_factory=list)
    # "no_answer", "no_passages", "wrong_language", "unsafe", "unsupported", "off_topic"
    reason: str | None = None
    unsafe: list[tuple[str, str]] = field(default_factory=list)  # (sentence, policy code)
    # why each of ``unsupported`` is, in the same order ("figure 14 not in passage 2")
    reasons: list[str] = field(default_factory=list)
    # the best cosine of a supported sentence to the question (None: no question given)
    relevance: float | None = None


@dataclass(frozen=True)
class SentenceVerdict:
    """The verdict on one sentence of a streamed reply: ``text`` (with its mark) is what may
    be shown now, None when the sentence must not be; ``violation`` is the policy code."""

    text: str | None
    citation: Citation | None
    reason: str | None  # None when shown; else a Grounding reason, "unsafe" or "dropped"
    violation: str | None = None
    factual: bool = False  # states a fact (what the supported share counts)
    detail: str | None = None  # why an unsupported sentence is ("figure 14 not in passage 2")
    relevance: float | None = None  # a shown factual sentence's cosine to the question


class GroundingChecker:
    """Checks replies against passages with ``embedder``.

    ``min_support``: the cosine a passage sentence needs to support a sentence;
    ``min_supported_share``: the share of factual sentences that must be supported;
    ``near_misses``: also require the supporting passage to state the sentence's facts, and
    call a reply whose supported sentences name another country or US state than the one the
    question asks about, and never that one, ``off_topic`` (``elsewhere``) (off only to
    measure what the rules add: figures are then checked against all passages);
    ``min_answer_relevance``: the cosine to the question one supported sentence must reach
    when the question is given (0 turns the rule off);
    ``question_terms``: a supporting passage in the sentence's language must also have the
    question's words the sentence repeats (when the question is given);
    ``answer_kind``: a question that plainly asks how long or how much (``cxrag.guard.asked``)
    is answered only by a reply with a supported sentence that states a time or an amount the
    question did not, when a passage states one; without one the reply is ``off_topic``;
    ``articles_required``: a reply whose supported sentences all rest on past tickets (one
    customer's case, not what holds for all) is ``off_topic``;
    ``polarity``: a sentence is not supported by a passage whose close sentences all say the
    opposite (``flipped``: "no sigue en garantía" over "3 años de garantía", "gift cards can
    be returned" over "cannot be returned").
    The shop's own name (the first label of each domain the ``policy`` allows: "Tiendalia"
    for tiendalia.es) may be named although no passage does.
    """

    def __init__(self, embedder: Embedder, min_support: float = MIN_SUPPORT,
                 min_supported_share: float = MIN_SUPPORTED_SHARE,
                 sentences: SentenceVectors | None = None,
                 policy: OutputPolicy | None = None, near_misses: bool = True,
                 min_answer_relevance: float = MIN_ANSWER_RELEVANCE,
                 question_terms: bool = True, answer_kind: bool = True,
                 articles_required: bool = True, polarity: bool = True) -> None:
        self.embedder, self.policy, self.near_misses = embedder, policy, near_misses
        self.polarity = polarity
        self.question_terms, self.answer_kind = question_terms, answer_kind
        self.articles_required = articles_required
        self.min_support, self.min_supported_share = min_support, min_supported_share
        self.min_answer_relevance = min_answer_relevance
        self.sentences = sentences or SentenceVectors(embedder)
        domains = policy.allowed_domains if policy else ()
        self._own_names = " ".join(dict.fromkeys(
            d.removeprefix("www.").split(".")[0] for d in domains))

    def check(self, reply: str, passages: Sequence[Passage], *, question: str | None = None,
              question_vector: Vectors | None = None, language: str | None = None,
              languages: Sequence[str] = (), before: str | None = None) -> Grounding:
        """The grounding verdict for ``reply`` given the passages sent with the prompt.

        With ``language`` (and the ``languages`` to tell apart), sentences in another
        language (a passage copied untranslated), or with a stretch of another language's
        prose (``cxrag.language.in_language``: a half-translated sentence), are dropped;
        with ``question``, sentences that only restate it or one sentence of it
        (``_echoes``) are dropped (neither counts as support), and a reply none of whose
        supported sentences reaches ``min_answer_relevance`` to it is ``off_topic``. With a
        ``policy``, sentences that break it are dropped before all of this and listed in
        ``unsafe``; markup is cleaned off the rest. A sentence with a figure that no passage
        sentence is close to on its own is read again with the supported sentence before it
        ("The cost is $35 per item." after "Yes, the crew can take the old washer too."),
        against the passage sentences that state its figures; ``before`` is that sentence
        when ``reply`` is one sentence of a stream. A reply fails whole, whatever its share
        of supported sentences, when its first factual sentence is a verdict no passage
        supports (``refutes``) or when a sentence makes the customer's case a passage's
        condition ("Si tienes el carnet en vigor, ...": see ``_support``). A sentence that
        opens with the question's condition ("When the free trial runs out, ...") is
        supported only where the passage ties it to that condition (``_unbound_condition``).
        """
        text = reply.strip()
        if not text or text.upper().startswith(NO_ANSWER):
            return Grounding(False, "", reason="no_answer")
        sentences, plain, unsafe = self._screen(text)
        if not passages:
            shown = " ".join(plain) if self.policy else _MARK.sub("", text)
            return Grounding(False, shown, reason="no_passages", unsafe=unsafe)
        if unsafe and not any(states_fact(s) for s in plain):
            return Grounding(False, "", reason="unsafe", unsafe=unsafe)
        if language:
            keep = [i for i, s in enumerate(plain) if in_language(s, language, list(languages))]
            if plain and not keep:
                return Grounding(False, "", reason="wrong_language", unsafe=unsafe)
            sentences, plain = [sentences[i] for i in keep], [plain[i] for i in keep]
        claims = self.embedder.embed_documents([s for s in plain if states_fact(s)])
        told = split_sentences(question) if question else []  # the message, sentence by sentence
        to_question: np.ndarray | None = None
        if question and len(claims):
            if question_vector is None:
                question_vector = self.sentences([question])[0]
            to_question = claims @ question_vector
            echo = (to_question >= ECHO) | self._echoes(told, claims)
            flags = iter(echo)
            kept = [i for i, s in enumerate(plain) if not (states_fact(s) and next(flags))]
            sentences, plain = [sentences[i] for i in kept], [plain[i] for i in kept]
            claims, to_question = claims[~echo], to_question[~echo]
        if question:  # too short to state a fact, and still the customer's ("Tengo 19 años."),
            # but a greeting given back is a greeting ("Hola otra vez.")
            copied = {fold(s) for s in told
                      if len(words := _WORD.findall(fold(s))) > 1 and words[0] not in GREETING}
            kept = [i for i, s in enumerate(plain) if states_fact(s) or fold(s) not in copied]
            sentences, plain = [sentences[i] for i in kept], [plain[i] for i in kept]
        factual = [i for i, s in enumerate(plain) if states_fact(s)]
        terms = frozenset(content_words(_asking(told))
                          if question and self.question_terms else ())
        # the words of the case the customer told around the question ("Tengo el carnet en
        # vigor."): a reply may repeat them, never make a passage's condition of them
        asking = _asking_sentences(told)
        case = frozenset(content_words(" ".join(t for t in told if t not in asking)) - terms
                         if terms else ())
        # Compare with each passage sentence: precise, and the best one is the quote.
        units = [(k, u) for k, p in enumerate(passages) for u in _passage_sentences(p.text)]
        unit_vectors = self.sentences([u for _, u in units])
        sims = claims @ unit_vectors.T
        owner = np.array([k for k, _ in units])
        cited: dict[int, Citation] = {}
        out: list[str] = []
        unsupported: list[str] = []
        reasons: list[str] = []
        on_question: list[float] = []  # the supported sentences' cosines to the question
        seen: dict[int, Seen] = {}
        given: list[str] = []  # the supported sentences
        backing: set[int] = set()  # the passages that support them
        hidden: set[int] = set()  # positions in ``out`` of the unsupported sentences
        from_article = False  # one of them rests on an article or the customer's own data
        leaned_on = before  # the sentence just before, when it was supported
        refuted = False  # the first factual sentence is a verdict no passage supports
        tailored = False  # a sentence made the customer's case a passage's condition
        for i, sentence in enumerate(plain):
            if i not in factual:
                out.append(sentence)
                leaned_on = None
                continue
            row, marks = sims[factual.index(i)], _marks(sentences[i], len(passages))
            best, why = self._support(sentence, _per_passage(row, owner, len(passages)), marks,
                                      passages, language, terms, seen, question or "", case)
            if (best is None and why.startswith(FAR) and leaned_on
                    and sentence.rstrip().endswith((".", "!", "?"))
                    and (figures := _numbers(sentence))):
                # "The cost is $35 per item." after "Yes, the crew can take the old washer
                # too.": a sentence with a figure that leans on the supported one before it
                # is read with it, and supported only by a passage sentence that states its
                # figures and that it brings the two closer to ("Refrigerator, freezer,
                # washer...: $35 per item."), never by what the sentence before rests on
                joined, alone = self.embedder.embed_documents(
                    [f"{leaned_on} {sentence}", leaned_on])
                row = joined @ unit_vectors.T
                holds = np.array([figures <= _numbers(u) for _, u in units])
                row = np.where(holds & (row > alone @ unit_vectors.T), row, -1.0)
                best, why = self._support(sentence, _per_passage(row, owner, len(passages)),
                                          marks, passages, language, terms, seen,
                                          question or "", case)
            # the supporting passage's sentences, for the two rules below
            theirs = [u for k, u in units if k == best] if self.near_misses else []
            if (best is not None and terms and self.near_misses
                    and (unbound := _unbound_condition(sentence, theirs, row[owner == best],
                                                       terms, passages[best], language))):
                why, best = unbound, None
            if (best is not None and self.polarity and self.near_misses
                    and (turned := self._turned(sentence, claims[factual.index(i)], theirs))):
                why, best = f"{turned} passage {passages[best].number}", None
            if (best is not None and self.near_misses
                    and (other := other_topic(sentence, theirs, passages[best].title))):
                why, best = f"{other} passage {passages[best].number}", None
            leaned_on = None if best is None else sentence
            if best is None:
                refuted = refuted or (not given and not unsupported and refutes(sentence))
                tailored = tailored or why.startswith(CASE)
                unsupported.append(sentence)
                reasons.append(why)
                out.append(sentence)
                hidden.add(len(out) - 1)  # never shown in a grounded reply
                continue
            if to_question is not None:
                on_question.append(float(to_question[factual.index(i)]))
            given.append(sentence)
            backing.add(best)
            passage = passages[best]
            from_article = from_article or not is_ticket(passage.document_id)
            if passage.number == ACCOUNT:  # the customer's own data: support, never a source
                out.append(sentence)
                continue
            if best not in cited:
                cited[best] = Citation(passage.number, passage.document_id, passage.title,
                                       passage.source, self._quote(units, owner, row, best))
            out.append(f"{sentence} [{passage.number}]")
        share = (len(factual) - len(unsupported)) / len(factual) if factual else 0.0
        # a reply that tailors a passage's rule to the customer's case is not to be trusted
        # for the rest either ("Si tienes el carnet en vigor, ...": the help centre does not
        # speak of the customer's card anywhere, whatever else it says)
        grounded = (bool(factual) and share >= self.min_supported_share and not refuted
                    and not tailored)
        reason = None if grounded else "unsupported"
        relevance = None if to_question is None else max(on_question, default=-1.0)
        if grounded and (self.off_topic(relevance)
                         or not self.gives_asked(question, passages, given)
                         or self.elsewhere(question, given)
                         or self.unnamed(question, [passages[k] for k in backing])
                         or (self.articles_required and not from_article)):
            grounded, reason = False, "off_topic"
        # A grounded reply is shown without its unsupported sentences (a supported share of
        # 0.6 lets a reply through, never the sentences that failed); an ungrounded one keeps
        # them all, for the agent's draft and the logs (no customer sees it).
        visible = [s for j, s in enumerate(out) if not (grounded and j in hidden)]
        return Grounding(grounded, " ".join(visible),
                         sorted(cited.values(), key=lambda c: c.number),
                         len(factual) - len(unsupported), len(factual), unsupported,
                         reason, unsafe, reasons, relevance)

    def _turned(self, sentence: str, claim: np.ndarray, units: Sequence[str]) -> str:
        """How ``sentence`` (its vector ``claim``) says the opposite of the passage that
        supports it, whose sentences are ``units`` ("" when it does not), by ``flipped``
        against the passage clauses (``_clauses``) closest to it. The passage is read clause
        by clause because a passage sentence may carry a negation that is another clause's
        or a heading's ("No me ha llegado el reembolso Comprueba que han pasado 10 días
        hábiles ..."); a negating sentence is read clause by clause too, each negated clause
        on its own, because a sentence joins them ("the QR is valid for 14 days and you don't
        need to print it": the passage's "no hay que imprimir nada" backs the second). A
        sentence that negates nothing is compared whole."""
        if fold(_MARK.sub("", sentence)).strip(" .") in {fold(u).strip(" .") for u in units}:
            return ""  # one of the passage's own sentences
        pieces = list(dict.fromkeys(c for u in units for c in _clauses(u)))
        if not pieces:
            return ""
        vectors = self.sentences(pieces)
        if not negated(sentence):  # the sentence whole: a clause of it alone ("Flights
            # to Cancún") would match the passage's negated one ("... no admiten mascotas")
            parts, claims = [sentence], claim[None, :]
        else:  # its negated clauses, each on its own
            parts = [c for c in _clauses(sentence) if negated(c)] or [sentence]
            claims = (claim[None, :] if parts == [sentence]
                      else self.embedder.embed_documents(parts))
        for part, vector in zip(parts, claims, strict=True):
            cos = vectors @ vector
            if flipped(part, [p for p, c in zip(pieces, cos, strict=True)
                              if c >= cos.max() - POLARITY_MARGIN]):
                return ("a negation not in" if negated(part)
                        else "an affirmation that is negated in")
        return ""

    def _echoes(self, told: Sequence[str], claims: np.ndarray) -> np.ndarray:
        """Which claims (vectors, in order) give the customer's own words back: as close as
        ``ECHO`` to one sentence of the message (``told``, its sentences), the case they
        told ("En el seguimiento pone que mi paquete está entregado, pero no lo tengo.") or
        what they asked, turned into a statement ("Yes, you can gift wrap my order" to "Can
        you gift wrap my order ...?"), as a one-sentence question is compared whole. Around a
        greeting and a question, a copied sentence stays far from the message as a whole.
        Bounded work: only sentences long enough to state a fact, the first
        ``MAX_ECHO_PARTS`` of them (a message of thousands of one-word "sentences" must not
        cost thousands of embeddings)."""
        parts = [p for p in told if states_fact(p)][:MAX_ECHO_PARTS] if len(told) > 1 else []
        if not parts:
            return np.zeros(len(claims), dtype=bool)
        return np.asarray(((claims @ self.sentences(parts).T) >= ECHO).any(axis=1))

    def off_topic(self, relevance: float | None) -> bool:
        """Whether a reply whose supported sentences reach at best ``relevance`` to the
        question is off topic: never without a question (None) or with the rule off (0)."""
        return (relevance is not None and self.min_answer_relevance > 0
                and relevance < self.min_answer_relevance)

    def asked(self, question: str | None, passages: Sequence[Passage]) -> Kind | None:
        """What ``question`` plainly asks for ("time", "amount") when one of ``passages``
        states it; None when it asks for neither, no passage states one (a reply can then
        only say how to find out) or the rule is off."""
        kind = asked(question) if self.answer_kind else None
        if kind is None or not any(gives(f"{p.title}. {p.text}", kind, question or "")
                                   for p in passages):
            return None
        return kind

    def gives_asked(self, question: str | None, passages: Sequence[Passage],
                    sentences: Sequence[str]) -> bool:
        """Whether one of ``sentences`` gives what ``question`` asks for (True when there is
        nothing to give: see ``asked``)."""
        kind = self.asked(question, passages)
        return kind is None or any(gives(s, kind, question or "") for s in sentences)

    def elsewhere(self, question: str | None, sentences: Sequence[str]) -> str:
        """The place ``sentences`` name instead of the country or US state that ``question``
        asks about (``cxrag.guard.places.elsewhere``); "" when they name none, without a
        question, or with the near-miss rules off."""
        if not question or not self.near_misses:
            return ""
        return elsewhere(_asking(split_sentences(question)), list(sentences))

    def unnamed(self, question: str | None, backing: Sequence[Passage]) -> str:
        """The name or code the question asks about ("Vetta R7", "Luma Plug") when no
        passage behind the reply has a word of it, nor of any other name the question asks
        about: "¿Cuándo vuelve a haber stock del robot aspirador Vetta R7?" answered with
        true sentences on gift cards. "" when the question names nothing (places aside: see
        ``elsewhere``), without a question, or with the near-miss rules off."""
        if not question or not self.near_misses:
            return ""
        names = _question_names(question)
        if not names:
            return ""
        words = {w for p in backing for w in _WORD.findall(fold(f"{p.title} {p.text}").lower())}
        if any(w in words for n in names for w in _WORD.findall(n)):
            return ""
        return names[0]

    def check_sentence(self, sentence: str, passages: Sequence[Passage], *,
                       question: str | None = None, question_vector: Vectors | None = None,
                       language: str | None = None, languages: Sequence[str] = (),
                       before: str | None = None) -> SentenceVerdict:
        """The verdict on one sentence of a streamed reply, by the rules of ``check``.

        Show ``text`` (with its ``[n]``; collect ``citation``) as soon as it comes back, and
        nothing when it is None: the sentence broke the policy (``reason="unsafe"``), is
        unsupported, in another language, or only restates the question. Marks use the
        passage numbers, so citations gathered sentence by sentence agree with ``check``.
        ``relevance`` is a supported sentence's cosine to the question: whether the reply is
        on topic is the stream's to decide (``GuardedStream``), over all its sentences.
        """
        g = self.check(sentence, passages, question=question, question_vector=question_vector,
                       language=language, languages=languages, before=before)
        if g.unsafe:
            return SentenceVerdict(None, None, "unsafe", g.unsafe[0][1])
        if g.reason in ("no_answer", "no_passages", "wrong_language") or g.unsupported:
            return SentenceVerdict(None, None, g.reason, factual=bool(g.factual),
                                   detail=g.reasons[0] if g.reasons else None)
        if not g.answer:
            return SentenceVerdict(None, None, "dropped")
        return SentenceVerdict(g.answer, g.citations[0] if g.citations else None, None,
                               factual=bool(g.factual), relevance=g.relevance)

    def safe(self, text: str) -> str:
        """``text`` without the sentences the policy forbids (what may be quoted from a
        passage: a poisoned passage must not reach the customer through a quote either)."""
        if self.policy is None:
            return text
        kept = [self.policy.clean(s) for s in split_sentences(text.replace("\n", " "))
                if self.policy.violation(s) is None]
        return " ".join(kept)

    def _quote(self, units: list[tuple[int, str]], owner: np.ndarray, row: np.ndarray,
               best: int) -> str:
        """The passage's sentence closest to the claim that the policy allows to be shown."""
        for i in np.argsort(-np.where(owner == best, row, -np.inf)):
            if owner[i] != best:
                break
            if quote := self.safe(units[int(i)][1]):
                return quote[:300]
        return ""

    def _screen(self, text: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        """The distinct sentences the policy lets through (as written and cleaned, markup
        off), and those it drops, with the rule each broke."""
        raw = split_sentences(text.replace("\n", " "))
        if self.policy is None:
            return (*_distinct_sentences(raw), [])
        verdicts = [(s, self.policy.violation(s)) for s in raw]
        unsafe = [(s, code) for s, code in verdicts if code is not None]
        kept = [self.policy.clean(s) for s, code in verdicts if code is None]
        return (*_distinct_sentences(kept), unsafe)

    def _support(self, sentence: str, row: np.ndarray, marked: list[int],
                 passages: Sequence[Passage], language: str | None,
                 terms: frozenset[str],
                 seen: dict[int, Seen],
                 given: str = "", case: frozenset[str] = frozenset()
                 ) -> tuple[int | None, str]:
        """The passage supporting ``sentence`` (None if none does) and, when none does, why.

        The candidates are the passages close enough (``row``: best cosine per passage): a
        marked one at 80% of ``min_support``, then the others, closest first. The first that
        also states every fact of the sentence (``cxrag.guard.facts``; the customer's own data
        may state them too), binds no figure to a name the passage gives another figure of
        (``misplaced``: a table row's figure stated for the row above), none that a label told
        apart by its number gives when another such label is named (``mislabelled``: "3 meses"
        answered for "12 meses"), takes no figure from
        one column of a table row without naming the column (``unbound``), is no past ticket
        in another language than the sentence's and, in the sentence's language, has the
        words of the question (``terms``, content-word stems) that the sentence repeats
        supports it, unless the sentence states a figure (checked above: the figure, not the
        customer's wording, carries it: "ya hice mi pedido, tengo 48 horas"); nor may such a
        sentence open with a condition made of the case the customer told around the question
        (``case``, content-word stems the passage lacks: "Si tienes el carnet en vigor, puedes
        pedir una sola factura" after "Tengo el carnet en vigor"). Without
        ``near_misses``, the closest candidate does, provided its figures appear in any passage.
        ``seen`` keeps each passage's facts and words across the sentences of one reply;
        ``given`` is the customer's message (a place it names may stand for its country).
        """
        # a sentence with a figure is left to the figure checks
        by_terms = bool(terms) and not _numbers(sentence)
        close = [m for m in marked if row[m] >= 0.8 * self.min_support]
        close += [int(k) for k in np.argsort(-row, kind="stable")
                  if row[k] >= self.min_support and int(k) not in close]
        if not close:
            return None, f"{FAR} (best {float(row.max()):.2f})"
        if not self.near_misses:
            stated = {n for p in passages for n in _numbers(p.title + " " + p.text,
                                                             spelled=True)}
            missing = sorted(_numbers(sentence) - stated)
            if missing:
                return None, f"figure {', '.join(missing)} not in the passages"
            return close[0], ""
        account = [p.text for p in passages if p.number == ACCOUNT]
        # the customer's orders are the account's, whichever passage is the candidate
        wrong_months = [m for a in account for m in misdated(sentence, a)]
        why = ""  # what the closest candidate lacks
        for k in close:
            p = passages[k]
            translated = bool(language) and p.language not in (language, "", "und")
            if translated and is_ticket(p.document_id):
                # one customer's case, in another language: a sentence "translated" from
                # it is too loose a match to stand for what holds for everyone
                why = why or f"passage {p.number} is a past ticket in another language"
                continue
            if k not in seen:  # a passage's facts, words and sentences, once per reply
                texts = "\n".join([p.title, p.text, *(a for a in account if a != p.text),
                                   self._own_names])
                sentences = _passage_sentences(p.text) if p.number != ACCOUNT else []
                seen[k] = (passage_facts(texts), content_words(texts) if terms else set(),
                           labelled_values(sentences), table(sentences),
                           date_bounds(sentences), undenied(f"{p.title}\n{p.text}"),
                           numbered_labels(sentences))
            facts, words, rows, cells, spans, kinds, numbered = seen[k]
            missing = unstated(sentence, facts, translated=translated,
                               given=given) or misplaced(
                sentence, rows) or mislabelled(sentence, numbered, given) or unbound(
                sentence, cells, given) or unbounded_dates(
                sentence, spans) or wrong_months or denied(sentence, kinds)
            if missing and given:
                missing = [m for m in missing if not _their_figure_in_span(m, sentence, p.text,
                                                                           given)]
            if not missing and by_terms and not translated:
                borrowed = (content_words(_PREFACE.sub("", sentence)) & terms) - words
                missing = [f"the question's '{w}'" for w in dict.fromkeys(
                    w for w in _WORD.findall(fold(sentence)) if content_words(w) & borrowed)]
            if (not missing and case and by_terms and not translated
                    and (condition := _PREFACE.match(sentence))):
                # "Si tienes el carnet en vigor, puedes pedir una sola factura ...": the
                # customer's case made the passage's condition
                told = (content_words(condition[0]) & case) - words
                cased = list(dict.fromkeys(w for w in _WORD.findall(fold(condition[0]))
                                           if content_words(w) & told))
                missing = [f"{CASE} ({', '.join(cased)}) as a condition"
                           ] if cased else []
            if not missing:
                return k, ""
            why = why or f"{', '.join(missing)} not in passage {p.number}"
        return None, why


def _unbound_condition(sentence: str, units: Sequence[str], row: np.ndarray,
                       terms: frozenset[str], passage: Passage, language: str | None) -> str:
    """Why ``sentence`` makes the question's condition the condition of a passage sentence
    that does not state it, or "". "When the free trial runs out, the clips are stored in
    the EU." is backed by "Clips are stored encrypted in data centres in the EU": the
    passage speaks of the trial elsewhere, not there. A sentence that opens with "if / when
    / si / cuando ..." and repeats words of the question (``terms``) there needs one of them
    in the passage sentence closest to it (``row``: its cosines to the passage's ``units``)
    or in the label or the question just before that sentence ("PayPal:", "What if ...?").
    A translated passage or the customer's own data is left to the other checks."""
    condition = _IF_WHEN.match(sentence)
    if (condition is None or passage.number == ACCOUNT or not units
            or (language and passage.language not in (language, "", "und"))):
        return ""
    asked = content_words(condition[0]) & terms
    if not asked:
        return ""
    at = int(np.argmax(row))
    near = units[at]
    if at and units[at - 1].rstrip().endswith((":", "?")):
        near = f"{units[at - 1]} {near}"  # the label or the FAQ's question it answers
    if content_words(near) & asked:
        return ""
    shown = ", ".join(dict.fromkeys(w for w in _WORD.findall(fold(condition[0]))
                                    if content_words(w) & asked))
    return f"the question's condition ({shown}) not where passage {passage.number} says it"


def refutes(sentence: str) -> bool:
    """Whether ``sentence`` opens with a verdict ("Yes, ...", "No, ...", "Sí, ...", "Claro,
    ..."): the reply's answer to a yes/no question. When a reply's first factual sentence is
    one and no passage supports it, the reply is not grounded, whatever follows: "Yes, it is
    still under warranty." (not in the passages) followed by the warranty article's general
    sentences, or "Yes, there is a refer a friend bonus." followed by the loyalty points', is
    a verdict the help centre does not give, dressed in true sentences about something else."""
    return bool(_VERDICT.match(_opening(sentence)))


def _opening(sentence: str) -> str:
    """``sentence`` as it opens once its marks, stray punctuation, list marker and opening
    quotes or inverted marks are off: where a verdict ("Yes, ...", "No, ...") stands."""
    clean = _LIST.sub("", _LEAD.sub("", _MARK.sub("", sentence)).strip())
    return clean.lstrip("\"'¡¿ ")


# Negation cues, Spanish and English, accents folded. "no cost", "no charge", "sin coste" and
# the like say "free", and are no negation of what a passage states as free; a condition ("si
# no lo devuelves, ...", "if we can't fix it, ..."), a purpose or a wish ("para que no te
# avise", "las zonas donde deseas que no avise") sets up what follows and negates nothing.
_NEGATION = re.compile(
    r"\b(?:not|never|cannot|no longer|nothing|none|neither|nor|no|nunca|jamas|ningun[oa]?s?"
    r"|nada|tampoco|ni)\b|n't\b")
_FREE = re.compile(
    r"\b(?:no|no hay|sin|without|free of) (?:extra |additional |hidden |ningun[oa]? )?"
    r"(?:cost|charge|fee|coste|costo|cargo|comision|gastos?)(?:e?s)?\b"
    r"|\b(?:no|not|n't) (?:tiene|tienen|supone|conlleva|have|has|carry|carries|incur) "
    r"(?:ningun[oa]? |any |an? )?(?:extra |additional )?(?:cost|charge|fee|coste|costo|cargo"
    r"|comision)e?s?\b|\b(?:no|not|n't) (?:cuesta|cost)s?\b|\bno (?:pagas|se cobra)\b"
    r"|\bnada que pagar\b")
# "with no minimum" is "without a minimum": an attribute, like "sin", not a denial
_WITH_NO = re.compile(r"\bwith no\b")
_CONDITION = re.compile(  # case and accents do not matter to it
    r"\b(?:si|if|unless|cuando|when|siempre que|as long as|provided)\b[^,.;:]{0,120}"
    r"(?:[,;:]|$)|\b(?:si|if|unless|siempre que|as long as|provided|para que|so that"
    r"|(?:deseas|desea|quieres|quiere|prefieres|prefiere) que)\s+(?:[\w']+\s+){0,3}?"
    r"(?:no|not|never|nunca|\w+n't)\b|\b(?:o|or) (?:no|not)\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """Whether ``text`` says something is not so ("no", "never", "can't", "nunca", "ningún"),
    its opening verdict ("No, ..."), its conditions and wording that means "free" aside."""
    clean = _VERDICT.sub("", _opening(text))
    folded = _CONDITION.sub(" ", _WITH_NO.sub(" ", fold(clean).replace("\u2019", "'")))
    return bool(_NEGATION.search(_FREE.sub(" ", folded)))


def flipped(sentence: str, closest: Sequence[str]) -> bool:
    """Whether ``sentence`` says the opposite of the passage sentences closest to it
    (``closest``): it negates and none of them does, or it does not and they all do.
    Embeddings read "is covered" and "is not covered" as the same sentence; a reply that
    turns a passage around ("no sigue en garantía" over "12 meses de garantía", "gift cards
    can be returned" over "cannot be returned") is a wrong answer with a citation. Only the
    presence of a negation counts, in either language (a translation keeps it)."""
    if not closest:
        return False
    if negated(sentence):
        return not any(negated(u) for u in closest)
    return all(negated(u) for u in closest)


_CLAUSE = re.compile(r"[;:]\s+|,\s+|\s+(?:y|and|but|pero|aunque|although)\s+"
                     # a heading run into its text: "... el reembolso Comprueba que ..."
                     r"|(?<=[a-záéíóúñ])\s+(?=[A-ZÁÉÍÓÚÑ¿¡][a-záéíóúñ]+\s+[a-záéíóúñ])")


def _clauses(text: str) -> list[str]:
    """The clauses of ``text`` that have two words or more (``_CLAUSE``), its conditions
    left out ("Si ... y el código no se ha canjeado, contáctanos": the negation is the
    condition's, not a clause of its own)."""
    bare = _CONDITION.sub(" ", _MARK.sub("", text).replace("\u2019", "'"))
    return [c for c in _CLAUSE.split(bare) if len(_WORD.findall(c)) > 1]


def _per_passage(row: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """The best of ``row`` (cosines to passage sentences) for each of the ``n`` passages
    (``owner``: each sentence's passage)."""
    return np.array([row[owner == k].max() for k in range(n)])


_SPAN = re.compile(r"(\d+(?:[.,]\d+)?)[\"'”″]?\s*(?:to|a|hasta|-|–|—)\s*(\d+(?:[.,]\d+)?)")
_UP_TO = re.compile(r"\b(?:up to|hasta|under|below|less than|menos de)\s+(\d+(?:[.,]\d+)?)")


def _value(figure: str) -> float:
    """A figure as written, as a number ("1,500" and "1.500" are 1500; "1,5" is 1.5)."""
    return float(re.sub(r"[.,](\d{3})\b", r"\1", figure).replace(",", "."))


def _their_figure_in_span(reason: str, sentence: str, passage: str, given: str) -> bool:
    """Whether ``reason`` ("figure 65") is a figure the customer gave (``given``) that a
    passage sentence's span holds, and that sentence states the claim's other figures too:
    "How much to mount a 65 inch TV?" answered "mounting a 65-inch TV costs $179" over
    "Wall mounting, TVs 56" to 85": $179." (the row for 55" and under, at $129, does not
    hold 65, so "$129" for it fails as before). A figure the customer gave outside every
    span ("can I return it after 45 days?" over "within 30 days") is still unstated."""
    m = re.fullmatch(r"figure (\d+(?:[.,]\d+)?)", reason)
    if m is None or m[1] not in _NUMBER.findall(given):
        return False
    theirs, number = _value(m[1]), re.sub(r"[.,:]", "", m[1])
    others = _numbers(sentence) - _numbers(given) - {number}
    for unit in _passage_sentences(passage):
        folded = fold(unit)
        spans = [(_value(a), _value(b)) for a, b in _SPAN.findall(folded)]
        spans += [(0.0, _value(b)) for b in _UP_TO.findall(folded)]
        if any(low <= theirs <= high for low, high in spans) and others <= _numbers(unit):
            return True
    return False


def _asks(sentence: str) -> bool:
    """Whether a sentence asks ("?" or "¿")."""
    return "?" in sentence or "¿" in sentence


def _asking_sentences(told: Sequence[str]) -> list[str]:
    """The sentences of a question (``told``) that ask (with "?" or "¿"), or all of them: the
    words around them tell the customer's case ("Devolví unos auriculares.", "Tengo 81
    años."), which a right answer may repeat; the asking sentence says what the answer is
    about."""
    return [s for s in told if _asks(s)] or list(told)


def _asking(told: Sequence[str]) -> str:
    """``_asking_sentences`` as one text."""
    return " ".join(_asking_sentences(told))


@lru_cache(maxsize=256)
def _question_names(question: str) -> tuple[str, ...]:
    """The names and codes the asking sentences of ``question`` give (``asked_names``), the
    first ``MAX_ECHO_PARTS`` of them (bounded work); cached, as a stream asks after every
    sentence."""
    asking = _asking_sentences(split_sentences(question))[:MAX_ECHO_PARTS]
    return tuple(dict.fromkeys(n for t in asking for n in asked_names(t)))


def _distinct_sentences(split: Sequence[str]) -> tuple[list[str], list[str]]:
    """Each sentence once (small models repeat themselves), as written and cleaned: citation
    marks, stray punctuation and list markers off; an item left empty ("3.") goes entirely."""
    sentences, plain, seen = [], [], set()
    for raw in split:
        clean = _LIST.sub("", _LEAD.sub("", _MARK.sub("", raw)).strip()).strip()
        if _WORD.search(clean) and clean.lower() not in seen:
            seen.add(clean.lower())
            sentences.append(raw)
            plain.append(clean)
    return sentences, plain


def _passage_sentences(text: str) -> list[str]:
    """The sentences of a passage, a table row ("| PayPal | 1–2 business days |") being one:
    rows run together would make one long sentence that no claim is close to."""
    out: list[str] = []
    prose: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            out += split_sentences(" ".join(prose))
            prose = []
            if re.search(r"[^\W_]", line):  # not a "|---|---|" rule
                out.append(line.strip())
        else:
            prose.append(line)
    out += split_sentences(" ".join(prose))
    return out or [text]


def _numbers(text: str, spelled: bool = False) -> set[str]:
    """The figures in ``text``, separators dropped ("1,000", "1.000" and "1000" are equal);
    with ``spelled``, numbers written as words too ("thirty", "treinta")."""
    found = {re.sub(r"[.,:]", "", n) for n in _NUMBER.findall(text)}
    if spelled:
        found |= {SPELLED[w] for w in _WORD.findall(fold(text)) if w in SPELLED}
    return found


def _marks(sentence: str, n_passages: int) -> list[int]:
    """0-based passage indexes of valid ``[n]`` marks in ``sentence``."""
    return [int(m) - 1 for m in _MARK.findall(sentence) if 1 <= int(m) <= n_passages]


def account_passage(customer_id: str, facts: Sequence[str], language: str) -> Passage:
    """The authenticated customer's orders and tickets as a passage that can support a
    sentence ("your order TL-1 was delivered") but is never cited as a document."""
    text = ". ".join(f.rstrip(".") for f in facts) + "."
    return Passage(ACCOUNT, f"customer:{customer_id}", "", "Your account", "", text, language,
                   0.0, 0)
