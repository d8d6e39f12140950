"""A 0-1 frustration score with the reasons behind it, Spanish and English.

Each signal found adds weight, and the weights combine as independent evidence
(``1 - prod(1 - w)``), so one strong signal is enough to pass the escalation threshold and
several weak ones add up. The signals: negative sentiment (the model's probability), shouting
(capitals, runs of ! or ?), repeated contacts (in the customer's history, or said in the
message: "third time", "otra vez"), an explicit request for a person, a threat to leave or
cancel, and legal or fraud topics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cxrag.guard.escalation import RULES

WEIGHTS = {
    "negative_sentiment": 0.55,  # times the negative probability above 0.5, scaled to 0-1
    "shouting": 0.40,
    "repeated_contact": 0.45,
    "repeated_contacts_history": 0.15,  # per earlier contact in the window, capped below
    "requested_human": 0.45,
    "churn_threat": 0.60,
    "legal": 0.60,
    "fraud": 0.45,
}
HISTORY_CAP = 0.45

# Cancellation intent, Spanish and English: the churn-threat signal here and in insights' churn
# risk (one definition, so the live decision and the report agree). Cancelling an order or an
# appointment is not leaving.
CANCEL_INTENT = re.compile(
    r"\b(?:dar(?:me|nos|se)? de baja|me doy de baja|(?:quiero|solicito|pido|tramitar|tramitad|"
    r"tramitadme)(?: la)? baja|cancelar(?: mi| la| el)?(?: \w+){0,2} (?:suscripci[oó]n|cuenta|"
    r"membres[ií]a|plus|plan|contrato|abono)|cerrar(?: mi)? cuenta|me voy a la competencia|"
    r"me voy a otra (?:compañ[ií]a|tienda)|me cambio a (?:otra|la competencia)|"
    r"cambiarme de compañ[ií]a|portabilidad|no (?:vuelvo|volver[eé]) a comprar|"
    r"[uú]ltima vez que compro|dejar[eé]? de (?:comprar|ser cliente)|"
    r"cancel(?:l?ing)?(?: my| the)?(?: \w+){0,3} (?:subscription|membership|account|plan|"
    r"contract)|unsubscribe|close my account|delete my account|"
    r"switch(?:ing)? to (?:a |another |your )?(?:competitor|other (?:store|provider|company))|"
    r"tak(?:e|ing) my business elsewhere|never (?:buy|order|shop)(?:ing)? (?:from you |here )?"
    r"again|last time i (?:order|buy|shop)|"
    r"i(?:'m| am) (?:leaving|done with you)|leav(?:e|ing) (?:you|your (?:store|service)))\b",
    re.IGNORECASE)
REPEATED = re.compile(
    r"\b(?:(?<!hola )(?<!buenas )otra vez|(?<!hola )de nuevo|"  # not "hola otra vez" (hi again)
    r"(?:ya )?(?:es|van) (?:la )?(?:segunda|tercera|cuarta|quinta) vez|"
    r"por (?:segunda|tercera|cuarta|enésima|en[eé]sima) vez|[2-9]ª? vez|(?:ya )?os he "
    r"(?:escrito|llamado)|ya (?:he|les he) (?:escrito|llamado|reclamado)|sigo esperando|"
    r"nadie (?:me )?(?:responde|contesta)|(?<!hi )(?<!hello )(?<!hey )again|"
    r"(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) "
    r"time|still waiting|still (?:no|not)|no one (?:answers|replies|responds)|nobody (?:answers|"
    r"replies|responds|has)|(?:i'?ve|i have) (?:already )?(?:called|written|emailed|contacted) "
    r"(?:you )?(?:\w+ )?(?:times|twice))\b",
    re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Reason:
    """One signal: a stable code, its weight in the score and the evidence."""

    code: str
    weight: float
    detail: str


@dataclass(frozen=True)
class Frustration:
    """The score (0-1) and the signals that produced it, strongest first."""

    score: float
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> list[str]:
        """The reason codes."""
        return [r.code for r in self.reasons]


def shouting(text: str) -> str | None:
    """Evidence of shouting: mostly capital words, or runs of '!'/'?'."""
    words = _WORDS.findall(text)
    caps = [w for w in words if w.isupper()]
    if len(caps) >= 3 and len(caps) >= 0.6 * len(words):
        return f"{len(caps)} of {len(words)} words in capitals"
    run = re.search(r"[!?¡¿]{3,}", text)
    return f"'{run.group(0)}'" if run else None


def score(text: str, negative: float, *, recent_contacts: int = 0,
          sensitive: Sequence[str] = ()) -> Frustration:
    """Score ``text`` given the negative-sentiment probability and history signals.

    ``recent_contacts``: the customer's other contacts in the recent window (tickets,
    conversations); ``sensitive``: sensitive topics already found in the message.
    """
    found: list[Reason] = []
    if negative > 0.5:
        found.append(Reason("negative_sentiment",
                            WEIGHTS["negative_sentiment"] * (negative - 0.5) * 2,
                            f"negative sentiment ({negative:.2f})"))
    if (evidence := shouting(text)) is not None:
        found.append(Reason("shouting", WEIGHTS["shouting"], evidence))
    if (match := REPEATED.search(text)) is not None:
        found.append(Reason("repeated_contact", WEIGHTS["repeated_contact"],
                            f"says it again: '{match.group(0)}'"))
    if recent_contacts > 0:
        weight = min(HISTORY_CAP, WEIGHTS["repeated_contacts_history"] * recent_contacts)
        found.append(Reason("repeated_contacts_history", weight,
                            f"{recent_contacts} other contact(s) recently"))
    if (match := RULES["requested_human"].search(text)) is not None:
        found.append(Reason("requested_human", WEIGHTS["requested_human"],
                            f"asks for a person: '{match.group(0)}'"))
    if (match := CANCEL_INTENT.search(text)) is not None:
        found.append(Reason("churn_threat", WEIGHTS["churn_threat"],
                            f"threatens to leave: '{match.group(0)}'"))
    for topic in ("legal", "fraud"):
        if topic in sensitive:
            found.append(Reason(topic, WEIGHTS[topic], f"{topic} topic"))
    remaining = 1.0
    for reason in found:
        remaining *= 1.0 - reason.weight
    ranked = tuple(sorted(found, key=lambda r: -r.weight))
    return Frustration(round(1.0 - remaining, 4), ranked)
