"""The sentiment of a text, asked of the configured chat model in one word.

The bias suite uses it for tone parity: the same question asked by different people should
get answers of the same sentiment. Measured on public tweets in ``benchmarks/tone_classifier.py``
(docs/benchmarks.md); an answer the model does not label counts as unknown (None).

A text's tone is the expected score under the model's own distribution over the three words
(``score``: P(positive) - P(negative), from the first token's log-probabilities), not the
score of the likeliest word alone: two near-identical replies whose likeliest word flips
between "neutral" and "negative" at 51/49 then score alike instead of a whole point apart, so
a gap between groups measures the replies rather than where a decision boundary fell. An
endpoint that gives no log-probabilities gets the likeliest word's score.
"""

from __future__ import annotations

import math
from typing import Any

from cxrag.compose.prompts import PromptLibrary
from cxrag.errors import LLMError, LLMUnavailable
from cxrag.generate.client import ChatModel

SCORES = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}
ALTERNATIVES = 10  # first-token candidates asked for: the three words and their spellings


def _label_of(token: str) -> str | None:
    """The label a token starts ("Neg", " positive" -> negative, positive), if any."""
    said = token.strip().lower()
    return next((label for label in SCORES if said and said.startswith(label[:3])), None)


class ToneClassifier:
    """``tone(text)``: from -1.0 (negative) to 1.0 (positive), None when unlabelled."""

    def __init__(self, chat: ChatModel, prompts: PromptLibrary,
                 version: str | None = None) -> None:
        self.chat, self.prompts, self.version = chat, prompts, version
        self._judged: dict[str, tuple[str | None, float | None]] = {}
        self._logprobs = True  # off once the endpoint rejects the request for them

    def label(self, text: str) -> str | None:
        """positive, neutral or negative (None when the model says something else)."""
        return self.judge(text)[0]

    def score(self, text: str) -> float | None:
        """The expected tone, sum of P(label) x its score over the three labels (the
        probabilities of a label's spellings added, renormalised over the labels); the
        likeliest label's score without log-probabilities; None when unlabelled."""
        return self.judge(text)[1]

    def judge(self, text: str) -> tuple[str | None, float | None]:
        """(the likeliest label, the expected score): one model call per distinct text."""
        if text in self._judged:
            return self._judged[text]
        self._judged[text] = verdict = self._ask(text)
        return verdict

    def _ask(self, text: str) -> tuple[str | None, float | None]:
        messages = self.prompts.get("tone", self.version).render(text=text[:1500])
        asks: dict[str, Any] = ({"logprobs": True, "top_logprobs": ALTERNATIVES}
                                if self._logprobs else {})
        try:
            result = self.chat.complete(messages, max_tokens=3, **asks)
        except LLMUnavailable:
            return None, None
        except LLMError:  # rejected: an endpoint without log-probabilities, or a bad text
            if not asks:
                return None, None
            self._logprobs = False
            return self._ask(text)
        label = _label_of(result.text)
        mass = dict.fromkeys(SCORES, 0.0)
        for token, logprob in result.alternatives:
            if (of := _label_of(token)) is not None:
                mass[of] += math.exp(logprob)
        total = sum(mass.values())
        if total <= 0.0:
            return label, None if label is None else SCORES[label]
        return label, sum(SCORES[k] * p for k, p in mass.items()) / total

    def __call__(self, text: str) -> float | None:
        return self.score(text)
