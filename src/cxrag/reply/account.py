"""Personalised answers from the customer's own orders, built from the data, not the model.

"Where is my air fryer?" is answered by the order, not by the help centre: the order the
question is about (an item named in the question, else the latest order when the question
says "my order"), its number, status, date and carrier, in the customer's language. The
sentence comes from the store, so it is true by construction; it opens the reply when the
passages answer the rest. When they don't, it is the reply (with the offer of a person) only
to a question about where the order is or what became of it (``asks_status``): to "can I
still return the TV?" the order's status is no answer, so it opens the handoff instead.

To "is it still under warranty?" or "can I still return it?" the order's date answers half;
the other half is the period the help centre counts from delivery ("3 años de garantía legal
desde la entrega"). When exactly one sentence of the passages sent states such a period on
the asked topic, in the reply's language, it is quoted after the order's sentence, cited
(``period_quote``): the two facts side by side, and no verdict the data does not give. The
passages were focused on the customer's country first, so another country's period is not
among them.

A question that names a product ("can I still return the tv?", "¿cuántos días tengo para
devolver una freidora?", with or without an order) finds the product's pages first, and the
returns policy may not reach the prompt at all. When the passages state no period of the asked
topic, the responder searches the help centre for it (the prompt version's
``search_<topic>_period`` text) and sends the policy's lines that state it (``period_lines``:
the customer's tier and country when the profile gives them, every tier's line otherwise) as one
more passage; if the model's answer fails, those lines are the reply, verbatim and cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cxrag.compose.context import Passage, market_sentences
from cxrag.guard.vocab import PERIOD_TOPICS
from cxrag.retrieve.hybrid import SearchHit
from cxrag.text import split_sentences
from cxrag.textnorm import STOPWORDS, fold


@dataclass(frozen=True)
class OrderFact:
    """One of the customer's orders, as a reply may state it."""

    id: str
    items: tuple[str, ...]
    status: str  # delivered, shipped, returned, cancelled, ...
    placed: str | None = None  # ISO date
    carrier: str | None = None


_STATUS = {"es": {"delivered": "entregado", "shipped": "enviado", "returned": "devuelto",
                  "cancelled": "cancelado", "canceled": "cancelado", "processing": "en preparación",
                  "pending": "pendiente de pago", "refunded": "reembolsado"}}
_MY_ORDER = re.compile(
    r"\b(?:my|mi|mis)\s+(?:\w+\s+)?(?:order|orders|package|parcel|purchase|delivery|pedido|"
    r"pedidos|paquete|compra|env[ií]o|entrega)\b|\b(?:where is my|d[oó]nde est[aá] mi|por "
    r"d[oó]nde va mi)\b", re.I)
_BRANDS = frozenset({"luma", "tien", "vett", "arde", "caff"})  # shop brands: not an item
_EXTRA_STOP = frozenset("""
ya he ha me mi tu su lo le se de en el la y o a i is it my me do an at by of on or to up we
hola hey buenas gracias please thanks still todavia aun pedido order compra purchase
""".split())


# Questions the order's status answers: where it is, when it arrives, whether it shipped,
# arrived or was cancelled (es/en, accents off)
_STATUS_ASKED = re.compile(
    r"\b(?:where(?:'s| is| are)?|status|track\w*|shipped|dispatched|deliver(?:ed|y)|arriv\w*"
    r"|cancel+(?:ed|ation)|go(?:ne)? (?:thru|through)|went (?:thru|through)|donde|por donde va"
    r"|estado|seguimiento|rastre\w*|enviad[oa]s?|entregad[oa]s?|llega\w*|llego|cancelad[oa]s?"
    r"|cancelacion)\b")


def asks_status(question: str) -> bool:
    """Whether ``question`` asks what the order's status tells: where it is, whether it was
    sent, delivered or cancelled ("¿por dónde va mi freidora?", "did my cancellation go
    thru?"), rather than what the help centre says of it ("can I still return the tv?"). Only
    the sentences that ask count when some do: "the one that arrived in June ... Is it still
    under warranty?" asks about the warranty."""
    told = re.split(r"(?<=[.!?])\s+", question)  # "... el cafe. sigue en garantia?" too
    asking = [t for t in told if "?" in t or "¿" in t] or told
    return bool(_STATUS_ASKED.search(fold(" ".join(asking))))


def _stems(text: str) -> set[str]:
    """First four letters of the words that can name an item (no stop words, no figures,
    no shop brands)."""
    words = re.findall(r"[^\W\d_]{2,}", text)
    return {w[:4] for w in words if w not in STOPWORDS and w not in _EXTRA_STOP} - _BRANDS


def mentioned_order(question: str, orders: Sequence[OrderFact]) -> OrderFact | None:
    """The order ``question`` is about: one whose item names share a word with it (the first
    four letters, accents off: "freidora"/"Freidora de aire", "tele"/"Televisor"), else the
    latest one when the question speaks of "my order" (es/en); None otherwise."""
    asked = _stems(fold(question))
    for order in orders:
        if asked & _stems(fold(" ".join(order.items))):
            return order
    if orders and _MY_ORDER.search(question):
        return orders[0]
    return None


def order_sentence(order: OrderFact, language: str) -> str:
    """What the store says of ``order``, in ``language`` (es, else English)."""
    items = f" ({', '.join(order.items[:2])})" if order.items else ""
    if language == "es":
        status = _STATUS["es"].get(order.status.lower(), order.status)
        when = f", del {order.placed}" if order.placed else ""
        carrier = f", con {order.carrier}" if order.carrier else ""
        return f"Tu pedido {order.id}{items}{when}: {status}{carrier}."
    when = f", placed {order.placed}" if order.placed else ""
    carrier = f", with {order.carrier}" if order.carrier else ""
    return f"Your order {order.id}{items}{when}: {order.status.lower()}{carrier}."


# Questions about a period (es/en, accents off): whether it is still running (still /
# todavía / aún / sigue / a tiempo), or how long one has ("how long do I have to return",
# "¿cuántos días tengo para devolver?"), not how long something takes
_PERIOD_ASKED = re.compile(
    r"\b(?:still|anymore|any longer|in time|todavia|aun|sigue|siguen|a tiempo"
    r"|(?:lo|la|los|las) puedo devolver|puedo devolver(?:lo|la|los|las)?|can i return"
    r"|(?:how long|how many days|how much time) (?:do|does|have|will) (?:i|we|you)"
    r"(?: still)? (?:have|get)|(?:cuantos dias|cuanto tiempo|que plazo) "
    r"(?:tengo|tenemos|tienes|hay|me queda\w*|nos queda\w*)"
    r"|hasta cuando (?:puedo|tengo|podemos|cubre|dura))\b")
_DURATION = re.compile(r"\b\d+\s+(?:\w+\s+)?(?:dias?|days?|meses|months?|anos|years?)\b")
_FROM_DELIVERY = re.compile(
    r"\b(?:desde (?:la )?(?:entrega|recepcion|que (?:lo |la )?recib\w*)|from (?:the )?"
    r"(?:delivery|day (?:you|it) (?:receive|arrive)\w*)|(?:of|after) (?:delivery|receiving))\b")
MAX_PERIOD_LINES = 3  # lines of one policy sent for a period question (tiers, countries)


def asked_period(question: str) -> str | None:
    """The topic (``warranty`` or ``return``) of a question that asks whether an order is
    still within its period ("¿sigue en garantía?", "can I still return the tv?") or how
    long one has ("¿cuántos días tengo para devolver una freidora?"); None for any other
    question ("how long does a refund take?")."""
    folded = fold(question)
    if not _PERIOD_ASKED.search(folded):
        return None
    return next((topic for topic, words in PERIOD_TOPICS.items() if words.search(folded)), None)


def _states_period(folded: str, tier: str | None) -> bool:
    """Whether the folded sentence states a period counted from delivery (whatever its
    topic), and not one for another membership tier than ``tier``."""
    return bool(_DURATION.search(folded) and _FROM_DELIVERY.search(folded)
                and _for_tier(folded, tier))


def period_quote(question: str, passages: Sequence[Passage], language: str,
                 tier: str | None = None) -> tuple[Passage, str] | None:
    """The one sentence of ``passages`` (in ``language``) that states the period of the
    topic ``question`` asks about, counted from delivery, with its passage; None when the
    question asks no such thing or the passages state none, or several. A sentence for a
    membership tier that the customer's ``tier`` is not ("Tiendalia Plus members: 45 ...",
    to a standard customer) is not theirs."""
    found = _period_sentences(question, passages, language, tier)
    return found[0] if len({s for _, s in found}) == 1 else None


def states_asked_period(question: str, passages: Sequence[Passage], language: str,
                        tier: str | None = None) -> bool:
    """Whether ``passages`` state a period of the topic ``question`` asks about (one or
    several: what ``period_quote`` reads)."""
    return bool(_period_sentences(question, passages, language, tier))


def _period_sentences(question: str, passages: Sequence[Passage], language: str,
                      tier: str | None) -> list[tuple[Passage, str]]:
    topic = asked_period(question)
    if topic is None:
        return []
    return [(p, s) for p in passages if p.language == language
            for s in split_sentences(p.text)
            if PERIOD_TOPICS[topic].search(f := fold(s)) and _states_period(f, tier)]


# Membership tiers as passages name them (accents off), by the customer record's tier
_TIER_WORDS = {"standard": re.compile(r"\b(?:standard|estandar)\b"),
               "plus": re.compile(r"\bplus\b")}


def _for_tier(folded: str, tier: str | None) -> bool:
    """False when the sentence names a membership tier and ``tier`` is another known one."""
    if tier is None or tier.lower() not in _TIER_WORDS:
        return True
    return not any(words.search(folded) for name, words in _TIER_WORDS.items()
                   if name != tier.lower())


def period_lines(question: str, hits: Sequence[SearchHit], language: str,
                 tier: str | None = None, country: str | None = None
                 ) -> tuple[SearchHit, list[str]] | None:
    """For a question about a period (``asked_period``), the first of ``hits`` (a search
    for the topic's policy) in ``language`` with sentences that state the topic's period
    from delivery, for the customer's ``tier`` and ``country`` when known, and those
    sentences (at most ``MAX_PERIOD_LINES``), each labelled with its section's heading when
    only the heading names the topic ("Plazo para devolver — Clientes estándar: 30 días
    naturales desde la entrega."); None otherwise."""
    topic = asked_period(question)
    if topic is None:
        return None
    words = PERIOD_TOPICS[topic]
    for hit in hits:
        if hit.language != language:
            continue
        lines = [s if words.search(f) else f"{heading} — {s}"
                 for s, heading in market_sentences(hit, country)
                 if (words.search(f := fold(s)) or words.search(fold(heading)))
                 and _states_period(f, tier)]
        if lines:
            return hit, list(dict.fromkeys(lines))[:MAX_PERIOD_LINES]
    return None
