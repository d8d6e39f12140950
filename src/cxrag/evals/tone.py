"""The sentiment of a text, asked of the configured chat model in one word.

The bias suite uses it for tone parity: the same question asked by different people should
get answers of the same sentiment. Measured on public tweets in ``benchmarks/tone_classifier.py``
(docs/benchmarks.md); an answer the model does not label counts as unknown (None).
"""

from __future__ import annotations

from cxrag.compose.prompts import PromptLibrary
from cxrag.errors import LLMError
from cxrag.generate.client import ChatModel

SCORES = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


class ToneClassifier:
    """``tone(text)``: 1.0 positive, 0.0 neutral, -1.0 negative, None when unlabelled."""

    def __init__(self, chat: ChatModel, prompts: PromptLibrary,
                 version: str | None = None) -> None:
        self.chat, self.prompts, self.version = chat, prompts, version

    def label(self, text: str) -> str | None:
        """positive, neutral or negative (None when the model says something else)."""
        messages = self.prompts.get("tone", self.version).render(text=text[:1500])
        try:
            said = self.chat.complete(messages, max_tokens=3).text.strip().lower()
        except LLMError:
            return None
        return next((label for label in SCORES if said.startswith(label[:3])), None)

    def __call__(self, text: str) -> float | None:
        label = self.label(text)
        return None if label is None else SCORES[label]
