"""Categories without training data: closeness to the policy's descriptions and examples.

Each category is represented by its description and examples, embedded with the multilingual
model (so Spanish messages find English descriptions and the reverse). A message scores the
best cosine against each category's texts; the confidence is a softmax over those scores.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxrag.cx.classifier import Prediction, softmax
from cxrag.cx.policy import Policy
from cxrag.embed.base import Embedder


class ZeroShotClassifier:
    """Nearest category description; see the module docstring."""

    def __init__(self, policy: Policy, embedder: Embedder) -> None:
        self.labels = list(policy.categories)
        self.temperature = policy.zero_shot.temperature
        self.min_similarity = policy.zero_shot.min_similarity
        texts, owners = [], []
        for i, (name, category) in enumerate(policy.categories.items()):
            for text in [category.description or name.replace("_", " "), *category.examples]:
                texts.append(text)
                owners.append(i)
        self._owners = np.array(owners)
        self._vectors = embedder.embed_documents(texts) if texts else np.zeros((0, 1))

    def similarities(self, vectors: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        """Best cosine of each message (rows) against each category (columns)."""
        sims = np.asarray(vectors, dtype=np.float64) @ self._vectors.T.astype(np.float64)
        out = np.full((len(sims), len(self.labels)), -1.0)
        for i in range(len(self.labels)):
            out[:, i] = sims[:, self._owners == i].max(axis=1)
        return out

    def predict(self, vectors: npt.NDArray[np.floating]) -> list[Prediction]:
        """Each message's category, confidence and best raw similarity."""
        if not self.labels or len(vectors) == 0:
            return []
        sims = self.similarities(vectors)
        probs = softmax(sims, self.temperature)
        out = []
        for row, sim in zip(probs, sims, strict=True):
            best = int(np.argmax(row))
            out.append(Prediction(self.labels[best], round(float(row[best]), 4),
                                  float(sim.max())))
        return out
