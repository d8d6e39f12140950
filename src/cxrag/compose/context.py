"""Pack retrieved passages into a token budget, most relevant first.

A small local model on two cores pays for every prompt token (~100 tokens/s of prompt
processing), so the context is a budget: passages are taken in relevance order until the
budget is spent, a passage that does not fit is trimmed at a sentence boundary rather than
dropped when enough room is left, and the numbering the model cites (``[1]``, ``[2]``...) maps
back to the passages actually sent.

With the question's vector and a ``SentenceVectors`` cache, ``pack`` focuses instead: it keeps
only the sentences of the top passages that are closest to the question (each passage's own
sentences in their original order, at most ``max_passages`` passages), which says the same in
a fraction of the tokens; identical passages (a ticket copied twice) are sent once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cxrag.embed.base import Vectors
from cxrag.embed.cache import SentenceVectors
from cxrag.money import currencies
from cxrag.retrieve.hybrid import SearchHit
from cxrag.text import encoding, opens_list, split_sentences, states_fact
from cxrag.textnorm import content_words, fold, overlap

LEXICAL = 0.3  # weight of the question's content words found in a sentence
FIGURES = 0.1  # bonus of a sentence with a figure when the question asks for one
_DIGIT = re.compile(r"\d")
_QUANTITY = re.compile(
    r"\b(?:how (?:much|many|long|soon|often|old|far)|when|what time|what is the (?:price|cost|"
    r"limit|minimum|maximum)|cu[aá]nt[oa]s?|cu[aá]ndo|qu[eé] (?:plazo|precio|coste|hora|"
    r"l[ií]mite|m[ií]nimo|m[aá]ximo)|hasta cu[aá]ndo|price|cost|fee|limit|minimum|maximum|"
    r"max|min|number of|n[uú]mero (?:de|m[aá]ximo|m[ií]nimo)|"
    r"precio|coste|cuesta|tarifa|plazo|l[ií]mite|m[ií]nimo|m[aá]ximo|d[ií]as|days|hours|"
    r"horas)\b", re.I)
MIN_TRIMMED_TOKENS = 48  # below this, a trimmed passage is more noise than help
LIST_ITEMS = 4  # items a sentence that opens a list brings with it at most
RANK_STEP = 0.03  # a lower-ranked passage's sentence needs this much more similarity per rank
MARKET = 0.15  # bonus of a sentence in the section for the customer's (or question's) country
HEADING_WORDS = 10  # a line of at most this many words that ends no sentence is a heading
# The markets a customer can be in, as section headings and questions name them (es/en,
# accents off), and their acronyms, in capitals only ("contact us" and "¿qué idioma usa?"
# name no country).
COUNTRIES = {"ES": ("spain", "espana"), "MX": ("mexico", "mejico"),
             "US": ("united states", "estados unidos", "ee. uu.", "ee.uu.", "eeuu"),
             "GB": ("united kingdom", "reino unido")}
_COUNTRY = [(code, re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?!\w)"))
            for code, names in COUNTRIES.items()]
_ACRONYM = [("US", re.compile(r"\bUSA?\b")), ("GB", re.compile(r"\bUK\b"))]


@dataclass(frozen=True)
class Passage:
    """A passage as sent to the model; ``number`` is what the model cites."""

    number: int
    document_id: str
    chunk_id: str
    title: str
    source: str
    text: str
    language: str
    score: float
    tokens: int


class ContextPacker:
    """Packs search hits into at most ``budget`` tokens (tiktoken ``encoding_name``)."""

    def __init__(self, budget: int = 900, encoding_name: str = "cl100k_base",
                 sentences: SentenceVectors | None = None, max_passages: int = 3,
                 lexical: float = LEXICAL, figures: float = FIGURES) -> None:
        self.budget, self.sentences, self.max_passages = budget, sentences, max_passages
        self.lexical, self.figures = lexical, figures
        self._enc = encoding(encoding_name)

    def count(self, text: str) -> int:
        """Tokens in ``text``."""
        return len(self._enc.encode_ordinary(text))

    def pack(self, hits: Sequence[SearchHit], question: str | None = None,
             vector: Vectors | None = None, country: str | None = None) -> list[Passage]:
        """Passages in relevance order within the budget (titles count too); focused on the
        sentences closest to ``question`` (or its ``vector``) when there is a sentence
        cache, and on the sections for the one country the question names, else for the
        customer's ``country`` (ISO code)."""
        if question and self.sentences is not None:
            if vector is None:
                vector = self.sentences([question])[0]
            # "¿y en México?", "vivo en Estados Unidos": the country the question names wins
            # over the customer's; a question naming several favours none
            named = _countries(question)
            market = (next(iter(named)) if len(named) == 1 else None) if named \
                else _market(country)
            return self._focus(_distinct(hits), vector, self.sentences, question, market)
        out: list[Passage] = []
        left = self.budget
        for hit in sorted(hits, key=lambda h: -h.score):
            overhead = self.count(hit.title) + 4  # "[n] title: "
            text = hit.text
            tokens = self.count(text)
            if tokens + overhead > left:
                text = self._trim(text, left - overhead)
                if not text:
                    continue
                tokens = self.count(text)
            out.append(Passage(len(out) + 1, hit.document_id, hit.chunk_id, hit.title,
                               hit.source, text, hit.language, hit.score, tokens))
            left -= tokens + overhead
            if left < MIN_TRIMMED_TOKENS:
                break
        return out

    def _focus(self, hits: list[SearchHit], question: Vectors,
               vectors: SentenceVectors, text: str = "",
               market: str | None = None) -> list[Passage]:
        """The top passages by retrieval rank, each cut down to its sentences closest to the
        question (and the sentence after each, which often carries the answer). Closeness is
        the cosine, plus ``lexical`` times the share of the question's content words in the
        sentence, plus ``figures`` for a sentence with a figure when the question asks for
        an amount, a time or a limit (how much, how long, cuánto, cuándo...). With a
        ``market`` (a country code), a sentence in a section about that country gets
        ``MARKET`` more, and one in a section about other countries only is left out (a
        section's heading names its countries; a page in pesos only is about Mexico)."""
        hits = hits[: self.max_passages]
        sections = [_sections(hit) for hit in hits]
        units = [(rank, i, sentence) for rank, found in enumerate(sections)
                 for i, (sentence, _) in enumerate(found)]
        if not units:
            return []
        sims = vectors([u[2] for u in units]) @ question
        words = content_words(text)
        if words and self.lexical:
            sims = sims + self.lexical * np.array([overlap(words, u[2]) for u in units])
        if self.figures and _QUANTITY.search(text):
            sims = sims + self.figures * np.array([bool(_DIGIT.search(u[2])) for u in units])
        if market is not None:
            pesos = _in_pesos(hits)
            about = [_countries(sections[rank][i][1])
                     or ({"MX"} if hits[rank].document_id in pesos else set())
                     for rank, i, _ in units]
            sims = sims + np.array([MARKET if market in c else -np.inf if c else 0.0
                                    for c in about])
        index = {(rank, i): j for j, (rank, i, _) in enumerate(units)}
        chosen: dict[int, dict[int, str]] = {}
        titles = {h.document_id: h.title for h in hits}  # one title per document
        left = self.budget - sum(self.count(t) + 4 for t in titles.values())
        for j in np.argsort(-(sims - RANK_STEP * np.array([u[0] for u in units]))):
            rank, position, _ = units[j]
            if sims[j] == -np.inf:
                break
            for k in _followers(units, index, j):
                if k is None or units[k][1] in chosen.get(rank, {}) or sims[k] == -np.inf:
                    continue
                cost = self.count(units[k][2]) + 1
                if cost <= left:
                    chosen.setdefault(rank, {})[units[k][1]] = units[k][2]
                    left -= cost
        # One passage per document (chunks of the same article merged in document order),
        # documents in order of their best chunk.
        by_doc: dict[str, list[int]] = {}
        for rank in sorted(chosen):
            by_doc.setdefault(hits[rank].document_id, []).append(rank)
        out: list[Passage] = []
        for ranks in by_doc.values():
            hit = hits[ranks[0]]
            ordered = sorted(ranks, key=lambda r: _chunk_index(hits[r].chunk_id))
            text = " ".join(chosen[r][i] for r in ordered for i in sorted(chosen[r]))
            out.append(Passage(len(out) + 1, hit.document_id, hit.chunk_id, hit.title,
                               hit.source, text, hit.language, hit.score, self.count(text)))
        return out

    def _trim(self, text: str, room: int) -> str:
        """Leading whole sentences of ``text`` within ``room`` tokens ('' if too little)."""
        if room < MIN_TRIMMED_TOKENS:
            return ""
        kept: list[str] = []
        used = 0
        for sentence in split_sentences(text.replace("\n", " ")):
            n = self.count(sentence) + 1
            if used + n > room:
                break
            kept.append(sentence)
            used += n
        return " ".join(kept) if used >= MIN_TRIMMED_TOKENS else ""


def _followers(units: Sequence[tuple[int, int, str]], index: dict[tuple[int, int], int],
               j: int) -> list[int | None]:
    """Unit ``j``, the sentence after it, and, after either one that opens a list (it ends
    with a colon: "elige una de estas opciones:"), that list's items (the next
    ``LIST_ITEMS`` units of the passage): a list's opening says nothing without them."""
    rank, position, _ = units[j]
    out: list[int | None] = [j, index.get((rank, position + 1))]
    for k in list(out):
        if k is not None and opens_list(units[k][2]):
            at = units[k][1]
            out += [index.get((rank, at + n)) for n in range(1, LIST_ITEMS + 1)]
    return out


def _chunk_index(chunk_id: str) -> int:
    """A chunk's position in its document (``{doc_id}#{version}-{index}``)."""
    tail = chunk_id.rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0


def _distinct(hits: Sequence[SearchHit]) -> list[SearchHit]:
    """Hits by relevance, each text once."""
    seen: set[str] = set()
    out = []
    for hit in sorted(hits, key=lambda h: -h.score):
        key = " ".join(hit.text.split()).lower()
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


def _sections(hit: SearchHit) -> list[tuple[str, str]]:
    """The sentences of a passage that can state a fact (not headings or "related articles"
    links), each with the heading of its section: the one the chunk starts under, then each
    short line of the chunk that ends no sentence (the heading of a section that begins
    inside it: "Spain", "What the warranty covers")."""
    heading = hit.headings[-1] if hit.headings else ""
    out = []
    for line in hit.text.splitlines():
        words = line.split()
        if 0 < len(words) <= HEADING_WORDS and not line.rstrip().endswith((".", "!", "?", ";")):
            heading = line.strip()
        out += [(s, heading) for s in split_sentences(line) if states_fact(s)]
    return out


def market_sentences(hit: SearchHit, country: str | None = None) -> list[tuple[str, str]]:
    """The sentences of ``hit`` that can state a fact, each with its section's heading,
    less those in a section about other countries only than ``country`` (an ISO code)."""
    market = _market(country)
    return [(sentence, heading) for sentence, heading in _sections(hit)
            if market is None or not (about := _countries(heading)) or market in about]


def _market(country: str | None) -> str | None:
    """``country`` as one of the known market codes, or None when it is not one."""
    market = country.upper() if country else None
    return market if market in COUNTRIES else None


def _in_pesos(hits: Sequence[SearchHit]) -> set[str]:
    """The documents among ``hits`` whose chunks give amounts in pesos only and name no
    country: pages about Mexico, whatever their headings say. Amounts are read as the guard
    reads them (``cxrag.money``); the guard takes any passage with a peso amount as
    Mexican, the packer only a page with no other currency ("$" alone included) and no
    country named in any of its retrieved chunks."""
    pesos: set[str] = set()
    other: set[str] = set()
    for hit in hits:
        found = currencies(hit.text)
        if found - {"MXN"} or _countries(hit.text):
            other.add(hit.document_id)
        elif found:
            pesos.add(hit.document_id)
    return pesos - other


def _countries(text: str) -> set[str]:
    """The markets ``text`` names, as country codes ("España" -> ES, "United States" -> US)."""
    folded = fold(text)
    return ({code for code, names in _COUNTRY if names.search(folded)}
            | {code for code, acronym in _ACRONYM if acronym.search(text)})
