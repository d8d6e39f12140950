"""Handing a customer over to a person: what the customer reads, where the case goes.

The words come from the prompt version's ``texts.yaml`` (``compose.prompts.Texts``); this
module decides which and fills them in. The messages of a handoff, an escalation and the
fallback (with when the team is back, outside business hours; ``person_text``, and
``fallback_text`` with the best passages); the summary an agent reads, built here and nowhere
else (``summarised_handoff``, ending with what triage found when there was triage); the queue a
case goes to without triage (``handoff_queue``); what triage takes from the customer
(``signals``); and the offer of a person after a partial answer (``wrap_offer``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cxrag.compose.context import Passage
from cxrag.compose.prompts import Texts
from cxrag.cx.triage import Analysis, Signals
from cxrag.guard.grounding import Citation
from cxrag.reply.models import CustomerContext, Handoff


def handoff_queue(customer: CustomerContext | None, language: str, reason: str = "") -> str:
    """Legal and fraud cases to ``priority-<language>``, gold and VIP customers to ``vip``,
    everyone else to their language's queue."""
    if reason in {"legal", "fraud"}:
        return f"priority-{language}"
    vip = customer is not None and (customer.tier or "").lower() in {"gold", "vip"}
    return "vip" if vip else f"support-{language}"


def person_text(texts: Texts, language: str, analysis: Analysis | None, key: str) -> str:
    """A handoff message (``key``: handoff, fallback or escalate) in ``language``, with when
    people are back if ``analysis`` says it is outside business hours."""
    text = texts.say(language, key)
    if analysis is None or analysis.within_hours or analysis.next_open is None:
        return text
    back = analysis.next_open
    note = texts.say(language, "back", day=texts.day(language, back.weekday()),
                     time=back.strftime("%H:%M"), zone=str(back.tzinfo))
    return f"{text} {note}" if key != "fallback" else f"{note} {text}"


def fallback_text(texts: Texts, passages: Sequence[Passage], language: str,
                  analysis: Analysis | None, safe: Callable[[str], str]
                  ) -> tuple[str, list[Citation]]:
    """What a customer reads when the model fails, and its citations: the fallback message and
    the first sentences of the (at most two) best passages. Passage text goes out unchecked by
    any model: only what ``safe`` (the output policy) leaves of it, and no passage whose title
    it would change."""
    checked = [(p, safe(p.title), _first_sentences(safe(p.text))) for p in passages]
    top = [(p, text) for p, title, text in checked if text and title == p.title][:2]
    lines = [person_text(texts, language, analysis, "fallback")]
    lines += [f"- {p.title}: {text} [{p.number}]" for p, text in top]
    return "\n".join(lines), [Citation(p.number, p.document_id, p.title, p.source, text)
                              for p, text in top]


def _first_sentences(text: str, limit: int = 240) -> str:
    cut = text.replace("\n", " ")[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 60 else cut


def summarised_handoff(texts: Texts, reason: str, customer: CustomerContext | None,
                       language: str, question: str | None, *, turns: Sequence[str] = (),
                       articles: Sequence[str] = (), analysis: Analysis | None = None
                       ) -> Handoff:
    """A handoff with its summary: the one place one is built, from the data and the
    ``handoff`` summary of ``texts`` (no model call), so nobody asks the customer to repeat
    themselves. Who wrote, in which language, and ``question`` (None: they asked for a person);
    what is known of them; the conversation's ``turns``; the closest articles; why. Routed by
    ``analysis`` when there is one (what triage found ends the summary), else to
    ``handoff_queue``."""
    summary = texts.summary(
        "handoff", who=customer.name if customer else None, language=language,
        question=question, known=list(customer.facts) if customer else [], turns=list(turns),
        articles=list(articles), reason=reason,
        triage=triage_facts(analysis) if analysis is not None else None)
    if analysis is None:
        return Handoff(reason, handoff_queue(customer, language, reason), summary)
    return Handoff(reason, analysis.queue, summary, analysis.priority, analysis.as_dict())


def signals(customer: CustomerContext | None, language: str) -> Signals:
    """What triage takes from the customer: tier and recent contacts."""
    return Signals(tier=customer.tier if customer else None, language=language,
                   recent_contacts=customer.recent_contacts if customer else 0)


def triage_facts(analysis: Analysis) -> dict[str, str]:
    """What the handoff summary says triage found."""
    mood = analysis.frustration
    return {"category": analysis.category or "", "confidence": f"{analysis.confidence:.2f}",
            "priority": analysis.priority, "sentiment": analysis.sentiment.label,
            "frustration": f"{mood.score:.2f}",
            "why": ", ".join(r.detail for r in mood.reasons[:3])}


def wrap_offer(texts: Texts, text: str, language: str) -> str:
    """``text`` and the offer of a person, in ``language``."""
    return f"{text} {texts.say(language, 'offer')}"
