"""The rung between a generated answer and a handoff: the passages' own words.

When the model abstains (``NO_ANSWER``) or its answer fails the guard, but retrieval is
confident (a passage sentence is close to the question), the customer still gets help: the
one or two passage sentences closest to the question, verbatim and cited, with the offer of a
person. Nothing is stated that the passage does not state, because the sentences are the
passage's. When the passage is in another language than the customer's, a short model call
translates them, and the translation must pass the same grounding guard as any answer
(figures, dates and names included) or the rung gives up and the customer is handed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cxrag.compose.context import Passage
from cxrag.compose.prompts import Texts
from cxrag.embed.base import Vectors
from cxrag.embed.cache import SentenceVectors
from cxrag.guard.asked import gives
from cxrag.guard.grounding import ACCOUNT, Citation, GroundingChecker
from cxrag.ingest.tickets import is_ticket
from cxrag.language import detect_language
from cxrag.text import opens_list, split_sentences, states_fact
from cxrag.textnorm import content_words, overlap

MIN_SIMILARITY = 0.6  # sentence score (below) under which retrieval is not confident;
# chosen on golden + mtrag + gnome-es, gnome-es2en held out (benchmarks/extractive_calibration.py)
LEXICAL = 0.3  # weight of the question's words found in a sentence
SECOND_WITHIN = 0.08  # a second sentence joins when this close to the best one
ECHO = 0.9  # a passage sentence this close to the question restates it (an FAQ heading)


@dataclass(frozen=True)
class Extract:
    """A passage sentence chosen for the customer, and how close it is to the question."""

    passage: Passage
    sentence: str
    similarity: float


@dataclass(frozen=True)
class ExtractiveAnswer:
    """The rung's reply text (intro, cited sentences, offer) and its citations."""

    text: str
    citations: list[Citation]
    translated: bool


class Extractor:
    """Picks the passage sentences that answer a question, when any are close enough."""

    def __init__(self, checker: GroundingChecker, sentences: SentenceVectors, *,
                 min_similarity: float = MIN_SIMILARITY, max_sentences: int = 2) -> None:
        self.checker, self.sentences = checker, sentences
        self.min_similarity, self.max_sentences = min_similarity, max_sentences

    def pick(self, passages: Sequence[Passage], question: Vectors,
             text: str = "") -> list[Extract]:
        """The best sentences (at most ``max_sentences``, one passage, in the passage's
        order), or [] when no sentence reaches ``min_similarity``. Only sentences the
        output policy allows are candidates; a sentence that only restates the question or
        is a question (an FAQ's heading) gives its place to the sentence after it. A
        sentence's score is its cosine to the ``question`` vector plus ``LEXICAL`` times the
        share of the question's content words (``text``) it contains: embeddings of short
        sentences are noisy, and the words a customer uses often appear in the answer. When
        the question asks how long or how much and a passage says it
        (``GroundingChecker.asked``), only sentences that state it are candidates. A
        passage without a word of the product the question names (``GroundingChecker.unnamed``)
        gives nothing. A sentence that ends with a colon ("elige una de estas opciones:") is
        no candidate: a list's items run on in the same sentence, so one that ends there
        ends its passage without the items it opens, and says nothing alone."""
        words = content_words(text)
        units: list[tuple[Passage, int, str]] = []
        for p in passages:
            if p.number == ACCOUNT or is_ticket(p.document_id):
                continue  # a past ticket tells one customer's case, not what holds for all
            for i, s in enumerate(split_sentences(p.text.replace("\n", " "))):
                if states_fact(s) and self.checker.safe(s) == s and not opens_list(s):
                    units.append((p, i, s))
        if not units:
            return []
        sims = self.sentences([u[2] for u in units]) @ question
        if words:
            sims = sims + LEXICAL * np.array([overlap(words, u[2]) for u in units])
        asks = [j for j, u in enumerate(units) if u[2].rstrip().endswith("?") or sims[j] >= ECHO]
        for j in asks:  # the passage asks the question (an FAQ heading): its answer follows
            nxt = _next(units, j)
            if nxt is not None and nxt not in asks:
                sims[nxt] = max(sims[nxt], sims[j])
        for j in asks:
            sims[j] = -1.0
        if kind := self.checker.asked(text, passages):  # "how long?": a sentence with a time
            for j, u in enumerate(units):
                if not gives(u[2], kind, text):
                    sims[j] = -1.0
        order = [int(j) for j in np.argsort(-sims)]
        best = order[0]
        if sims[best] < self.min_similarity:
            return []
        owner = units[best][0]
        if self.checker.unnamed(text, [owner]):
            return []  # a passage about something else than the product asked about
        chosen = [best] + [j for j in order[1:] if units[j][0] is owner
                           and sims[j] >= sims[best] - SECOND_WITHIN][: self.max_sentences - 1]
        chosen.sort(key=lambda j: units[j][1])
        return [Extract(units[j][0], units[j][2], float(sims[j])) for j in chosen]


def _next(units: Sequence[tuple[Passage, int, str]], j: int) -> int | None:
    """The unit after ``j`` in the same passage, if any."""
    if j + 1 < len(units) and units[j + 1][0] is units[j][0]:
        return j + 1
    return None


def needs_translation(extracts: Sequence[Extract], language: str,
                      languages: Sequence[str]) -> bool:
    """Whether any chosen sentence is in another language than the reply's."""
    return any(detect_language(e.sentence, list(languages)) not in (language, "und")
               or (e.passage.language not in ("", language)
                   and detect_language(e.sentence, list(languages)) == "und")
               for e in extracts)


def compose(texts: Texts, extracts: Sequence[Extract], language: str) -> ExtractiveAnswer:
    """The reply from sentences in the customer's language: intro, the sentences with
    their ``[n]``, and the offer of a person."""
    passage = extracts[0].passage
    cited = " ".join(e.sentence for e in extracts)
    citation = Citation(passage.number, passage.document_id, passage.title, passage.source,
                        cited[:300])
    return ExtractiveAnswer(wrap(texts, f"{cited} [{passage.number}]", language), [citation],
                            False)


def translated(texts: Texts, body: str, citations: list[Citation], language: str
               ) -> ExtractiveAnswer:
    """The reply from a translation that passed the guard (``body`` carries its marks)."""
    return ExtractiveAnswer(wrap(texts, body, language), citations, True)


def wrap(texts: Texts, body: str, language: str) -> str:
    """``body`` between the intro and the offer of a person, in ``language`` (the words from
    the prompt version's ``texts.yaml``)."""
    return f"{texts.say(language, 'intro')} {body} {texts.say(language, 'offer')}"
