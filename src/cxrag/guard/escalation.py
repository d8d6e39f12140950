"""Messages that go to a person whatever the knowledge base says.

A first, rule-based policy in Spanish and English: an explicit request for a person, a legal
threat or complaint to a consumer authority, fraud or account takeover, a chargeback. These
are decisions a support lead would not leave to a 1.5B model; the patterns are deliberately
specific (a question *about* contacting support is answered from the help centre; "I want to
talk to a person" is not a question). Frustration scoring (sentiment, shouting, repeated
contacts, churn threats) is a separate, measured model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERSON = (r"(?:persona|humano|human[ao]s?|agente|operador[a]?|asesor[a]?|encargad[oa]|"
           r"supervisor[a]?|responsable|alguien de verdad|alguien real|"
           r"human|person|agent|representative|rep|operator|manager|supervisor|somebody real|"
           r"someone real|real person|real human)")
_ASK = (r"(?:hablar|habla|hable|pasa(?:me)?|p[aá]same|p[aá]sa(?:me|nos)|quiero|necesito|"
        r"ponme|p[oó]n(?:ga)?me|comunica(?:me|rme)|atienda|"
        r"talk|speak|chat|connect|transfer|put|get|need|want|give)")
RULES: dict[str, re.Pattern[str]] = {
    "requested_human": re.compile(
        rf"\b{_ASK}\b(?:\W+\w+){{0,5}}?\W+(?:a |an |to |with |con |un |una |el |la |me )?"
        rf"(?:\w+\W+){{0,2}}?{_PERSON}\b", re.IGNORECASE),
    "legal": re.compile(
        r"\b(?:abogad[oa]s?|denuncia(?:r|ré|re)?|os denuncio|les denuncio|demanda(?:r|ré)?|"
        r"hoja de reclamaciones|OCU|PROFECO|(?:oficina|organismo|autoridad|junta|servicio) "
        r"(?:municipal |arbitral )?de consumo|(?:ir[eé]?|iremos|acudir[eé]?|voy) a consumo|"
        r"juzgado|tribunal|"
        r"lawyer|attorney|sue|suing|lawsuit|legal action|small claims|court)\b", re.IGNORECASE),
    "fraud": re.compile(
        r"\b(?:fraude|estafa|suplantaci[oó]n|hacke(?:ado|aron|ada)|contracargo|"
        r"fraud|scam(?:med)?|hacked|identity theft|chargeback|"
        r"unauthori[sz]ed (?:charge|order|purchase)|someone got into my account|"
        r"disput(?:e|ing) (?:it|the charge|the payment))\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class Escalation:
    """Why a message goes straight to a person."""

    reason: str  # a key of RULES
    match: str  # the words that triggered it


def must_escalate(message: str) -> Escalation | None:
    """The first rule ``message`` meets (requested_human, legal, fraud), or None."""
    for reason, pattern in RULES.items():
        found = pattern.search(message)
        if found:
            return Escalation(reason, found.group(0))
    return None
