"""Cross-language replies through the passages' language.

The embedded 1.5B model answers a question over passages in its own language far more often
than over passages in the other one (it says ``NO_ANSWER`` to most Spanish questions over
English articles). When every passage sent is in one language and the customer writes in the
other, the question is translated into the passages' language (a short model call), answered
there, and the answer translated back (another short call); the guard then checks the
translated answer against the passages like any answer (cross-language support, figures and
names included), so a translation that changes a fact is never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cxrag.compose.context import Passage
from cxrag.compose.prompts import PromptLibrary
from cxrag.generate.client import ChatModel
from cxrag.generate.control import CallControl
from cxrag.guard.grounding import ACCOUNT, NO_ANSWER


def pivot_language(passages: Sequence[Passage], language: str,
                   languages: Sequence[str]) -> str | None:
    """The passages' language when all of them are in one known language other than
    ``language``; None otherwise (same language, mixed, unknown)."""
    found = {p.language for p in passages if p.number != ACCOUNT}
    if len(found) != 1:
        return None
    only = found.pop()
    return only if only in languages and only != language else None


class Pivot:
    """Answers in the passages' language and translates the answer back."""

    def __init__(self, chat: ChatModel, prompts: PromptLibrary, names: dict[str, str],
                 max_tokens: int) -> None:
        self.chat, self.prompts, self.names, self.max_tokens = chat, prompts, names, max_tokens

    def answer(self, *, question: str, language: str, target: str, version: str,
               passages: Sequence[Passage], variables: dict[str, Any], usage: dict[str, int],
               control: CallControl | None = None) -> str:
        """The model's answer to ``question`` (in ``language``) from ``passages`` (in
        ``target``), in ``language``; ``NO_ANSWER`` as the model gives it. Raises
        ``LLMError`` when a call fails (the caller's fallback applies)."""
        asked = self.translate(question, target, version, usage, control, limit=96)
        messages = self.prompts.get("answer", version).render(
            question=asked, language=self.names[target],
            passages=[{"title": p.title, "text": p.text} for p in passages], **variables)
        result = self.chat.complete(messages, max_tokens=self.max_tokens, control=control)
        _add(usage, result.usage)
        text = result.text.strip()
        if not text or text.upper().startswith(NO_ANSWER):
            return text
        return self.translate(text, language, version, usage, control,
                              limit=self.max_tokens + 40)

    def translate(self, text: str, language: str, version: str, usage: dict[str, int],
                  control: CallControl | None, *, limit: int) -> str:
        """``text`` in ``language`` (prompt ``translate``)."""
        messages = self.prompts.get("translate", version).render(
            language=self.names[language], text=text)
        result = self.chat.complete(messages, max_tokens=limit, control=control)
        _add(usage, result.usage)
        return result.text.strip()


def _add(usage: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        usage[key] = usage.get(key, 0) + value
