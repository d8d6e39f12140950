"""Handing a customer over to a person: what the customer reads, where the case goes.

The messages of a handoff, an escalation and the fallback (with when the team is back, outside
business hours); the queue a case goes to without triage (``handoff_queue``) or with it
(``routed_handoff``, its summary ending with what triage found); what triage takes from the
customer (``signals``); and the offer of a person after a partial answer (``wrap_offer``).
"""

from __future__ import annotations

from cxrag.cx.triage import Analysis, Signals
from cxrag.reply.extractive import OFFER
from cxrag.reply.models import CustomerContext, Handoff

_TEXTS = {
    "es": {"handoff": "No encuentro una respuesta fiable en nuestro centro de ayuda. "
                      "Te paso con una persona del equipo, que ya tiene el contexto.",
           "fallback": "Ahora mismo no puedo redactar una respuesta. Esto es lo más relevante "
                       "de nuestro centro de ayuda, y te paso con una persona del equipo:",
           "escalate": "Te paso con una persona del equipo, que ya tiene el contexto de tu "
                       "consulta y te responderá lo antes posible."},
    "en": {"handoff": "I can't find a reliable answer in our help centre. I'm passing you to "
                      "a person on the team, who already has the context.",
           "fallback": "I can't write an answer right now. Here is the most relevant part of "
                       "our help centre, and I'm passing you to a person on the team:",
           "escalate": "I'm passing you to a person on the team, who already has the context "
                       "of your request and will reply as soon as possible."},
}


def handoff_queue(customer: CustomerContext | None, language: str, reason: str = "") -> str:
    """Legal and fraud cases to ``priority-<language>``, gold and VIP customers to ``vip``,
    everyone else to their language's queue."""
    if reason in {"legal", "fraud"}:
        return f"priority-{language}"
    vip = customer is not None and (customer.tier or "").lower() in {"gold", "vip"}
    return "vip" if vip else f"support-{language}"


_DAYS = {"es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
         "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
_BACK = {"es": "Ahora mismo el equipo no está disponible: vuelve el {day} a las {time} "
               "({zone}).",
         "en": "The team is away right now and back on {day} at {time} ({zone})."}


def person_text(language: str, analysis: Analysis | None, key: str) -> str:
    """A handoff message (``key``: handoff, fallback or escalate) in ``language``, with when
    people are back if ``analysis`` says it is outside business hours."""
    text = _TEXTS[language][key]
    if analysis is None or analysis.within_hours or analysis.next_open is None:
        return text
    back = analysis.next_open
    lang = language if language in _BACK else "en"
    note = _BACK[lang].format(day=_DAYS[lang][back.weekday()], time=back.strftime("%H:%M"),
                              zone=str(back.tzinfo))
    return f"{text} {note}" if key != "fallback" else f"{note} {text}"


def signals(customer: CustomerContext | None, language: str) -> Signals:
    """What triage takes from the customer: tier and recent contacts."""
    return Signals(tier=customer.tier if customer else None, language=language,
                   recent_contacts=customer.recent_contacts if customer else 0)


def routed_handoff(reason: str, lines: list[str], analysis: Analysis) -> Handoff:
    """A handoff to the queue triage chose, its summary ending with what triage found."""
    return Handoff(reason, analysis.queue, "\n".join([*lines, triage_line(analysis)]),
                   analysis.priority, analysis.as_dict())


def triage_line(analysis: Analysis) -> str:
    """One line of the handoff summary: what triage found."""
    mood = analysis.frustration
    why = ", ".join(r.detail for r in mood.reasons[:3]) or "no signals"
    category = analysis.category or "out of scope"
    return (f"Triage: {category} ({analysis.confidence:.2f}), priority {analysis.priority}, "
            f"sentiment {analysis.sentiment.label}, frustration {mood.score:.2f} ({why}).")


def wrap_offer(text: str, language: str) -> str:
    """``text`` and the offer of a person, in ``language``."""
    return f"{text} {OFFER[language if language in OFFER else 'en']}"
