"""What a question asks for, and whether a reply gives it: "how long" wants a time, "how much
does it cost" an amount.

A small model asked "¿cuántos días tengo para recogerlo?" often answers with a true sentence
about something else ("El paquete se trasladará a la oficina de Correos. [1]"), and asked "how
much do I pay for the repair?" with the repair's deadline: each sentence is supported by a
passage and close enough to the question, so the other rules let it through, and the customer
gets a cited reply that does not answer. ``asked(question)`` names what a question plainly asks
for (``"time"`` or ``"amount"``; None for any other question, which this rule leaves alone)
and ``gives(sentence, kind, question)`` says whether a sentence states one that the question
did not state itself: a time is a figure with a time unit ("48 horas", "3-5 business days"), a
month or weekday, a clock time, or a word like "immediately"; an amount is money, a
percentage, or "free" / "gratis". When a passage sent with the prompt states one, the guard
calls a reply whose supported sentences give none ``off_topic`` (the model missed the answer
the passages hold); when none does, a reply can only say how to find out, and it stands.

Spanish and English, accents and case ignored; the patterns are deliberately narrow ("how
much storage" asks for neither), so a question they do not recognise is never held back.
"""

from __future__ import annotations

import re
from typing import Literal

from cxrag.guard.facts import passage_facts
from cxrag.textnorm import fold

Kind = Literal["time", "amount"]

_TIME_UNITS = frozenset({"second", "minute", "hour", "day", "business day", "calendar day",
                         "week", "month", "year"})
_ASKS_TIME = re.compile(
    r"\b(?:cuanto tiempo|cuant[oa]s (?:dias|horas|semanas|meses|minutos|anos)"
    r"|cuanto (?:tarda|tardan|tardara|tardaran|tardaria|demora|demoran|dura|duran)"
    r"|(?:que|cual es el) plazo|hasta cuando|how long|how many (?:days|hours|weeks|months|minutes"
    r"|years|business days)|how soon)\b")
_ASKS_AMOUNT = re.compile(
    r"\b(?:cuanto (?:cuesta|cuestan|costara|vale|valen|es|son|cobr\w*|pag\w*|me cobr\w*"
    r"|me cuest\w*|me sale)|a partir de cuanto|que precio|cual es el (?:precio|coste|costo)"
    r"|minimo de compra|minimum (?:purchase|order|spend)"
    r"|cuanto (?:me |nos |te )?(?:dan|dais|darian|dariais|devolveis|devuelven)\b"
    r"|(?:^|[?.!,] *|\by )cuanto\s*(?:\?|$)"
    r"|how much (?:is|are|does|do|will|would|did|to|for)\b"
    r"|how much\s*(?:\?|$)"
    r"|how much\b.{0,40}\b(?:cost|costs|pay|charge|charged|fee|fees|price)"
    r"|what(?:'s| is) the (?:price|cost|fee))")
_TIME_WORDS = re.compile(
    r"\b(?:al instante|inmediat\w*|instant\w*|immediately|right away|same day|mismo dia"
    r"|en el acto|de inmediato|hoy|manana|today|tomorrow|next day|dia siguiente)\b")
_AMOUNT_WORDS = re.compile(
    r"\b(?:gratis|gratuit[oa]s?|sin coste|sin costo|sin cargo|free|no charge|no cost"
    r"|at no (?:extra )?cost|no se cobra|no cobramos|no cuesta nada|nothing)\b")


def asked(question: str | None) -> Kind | None:
    """What ``question`` plainly asks for: a time, an amount, or None (anything else)."""
    if not question:
        return None
    q = fold(question)
    if _ASKS_AMOUNT.search(q):
        return "amount"
    if _ASKS_TIME.search(q):
        return "time"
    return None


def _stated(text: str, kind: Kind) -> set[str]:
    """The times or amounts ``text`` states, each as a comparable key."""
    facts = passage_facts(text)
    if kind == "time":
        found = {f"{n} {u}" for n, u in facts.quantities if u in _TIME_UNITS}
        found |= set(facts.dates) | {f"{h}:{m:02d}" for h, m in facts.times}
        return found
    found = {f"{n} {c}" for n, c in facts.money}
    return found | {f"{n} %" for n, u in facts.quantities if u == "%"}


def gives(sentence: str, kind: Kind, question: str = "") -> bool:
    """Whether ``sentence`` states a ``kind`` that ``question`` did not state itself."""
    words = _TIME_WORDS if kind == "time" else _AMOUNT_WORDS
    if words.search(fold(sentence)):
        return True
    return bool(_stated(sentence, kind) - _stated(question, kind))
