"""Handing a customer over to a person: what the customer reads, where the case goes.

The messages of a handoff, an escalation and the fallback (with when the team is back, outside
business hours; ``person_text``, and ``fallback_text`` with the best passages); the summary an
agent reads, built here and nowhere else (``summarised_handoff``); the queue a case goes to
without triage (``handoff_queue``) or with it (``routed_handoff``, its summary ending with what
triage found); what triage takes from the customer (``signals``); and the offer of a person
after a partial answer (``wrap_offer``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cxrag.compose.context import Passage
from cxrag.cx.triage import Analysis, Signals
from cxrag.guard.grounding import Citation
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


def fallback_text(passages: Sequence[Passage], language: str, analysis: Analysis | None,
                  safe: Callable[[str], str]) -> tuple[str, list[Citation]]:
    """What a customer reads when the model fails, and its citations: the fallback message and
    the first sentences of the (at most two) best passages. Passage text goes out unchecked by
    any model: only what ``safe`` (the output policy) leaves of it, and no passage whose title
    it would change."""
    checked = [(p, safe(p.title), _first_sentences(safe(p.text))) for p in passages]
    top = [(p, text) for p, title, text in checked if text and title == p.title][:2]
    lines = [person_text(language, analysis, "fallback")]
    lines += [f"- {p.title}: {text} [{p.number}]" for p, text in top]
    return "\n".join(lines), [Citation(p.number, p.document_id, p.title, p.source, text)
                              for p, text in top]


def _first_sentences(text: str, limit: int = 240) -> str:
    cut = text.replace("\n", " ")[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 60 else cut


def summarised_handoff(reason: str, customer: CustomerContext | None, language: str,
                       opening: str, *, said: tuple[str, Sequence[str]] = ("", ()),
                       articles: Sequence[str] = (), analysis: Analysis | None = None
                       ) -> Handoff:
    """A handoff with its summary: the one place one is built, from the data (no model call),
    so nobody asks the customer to repeat themselves. Who wrote, in which language, and
    ``opening`` (what they asked); what is known of them; ``said`` (a label and the
    conversation's lines); the closest articles; why. Routed by ``analysis`` when there is one
    (what triage found ends the summary), else to ``handoff_queue``."""
    who = customer.name if customer else "anonymous visitor"
    lines = [f"{who} ({language}) {opening}"]
    if customer and customer.facts:
        lines.append("Known: " + "; ".join(customer.facts[:3]))
    label, turns = said
    if turns:
        lines.append(f"{label}: " + " | ".join(turns))
    if articles:
        lines.append("Closest articles: " + ", ".join(articles))
    lines.append(f"Handed over because: {reason.replace('_', ' ')}.")
    if analysis is None:
        return Handoff(reason, handoff_queue(customer, language, reason), "\n".join(lines))
    return routed_handoff(reason, lines, analysis)


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
