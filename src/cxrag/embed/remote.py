"""Any OpenAI-compatible embeddings endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cxrag.embed.base import Vectors, normalise
from cxrag.errors import EmbeddingError


class OpenAICompatibleEmbedder:
    """Embeddings over HTTP through the ``openai`` client; errors become EmbeddingError."""

    def __init__(
        self,
        base_url: str | None,
        model: str,
        api_key: str | None,
        dimensions: int | None = None,
        timeout_s: float = 30.0,
        batch_size: int = 64,
    ) -> None:
        import openai

        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=2
        )
        self._model = model
        self._dimensions = dimensions
        self._batch = batch_size
        self._dim: int | None = dimensions

    @property
    def model_id(self) -> str:
        """The remote model name, prefixed so it never collides with a local id."""
        suffix = f"@{self._dimensions}" if self._dimensions else ""
        return f"openai:{self._model}{suffix}"

    @property
    def dimension(self) -> int:
        """Discovered on first call when not configured."""
        if self._dim is None:
            self._dim = int(self.embed_query("dimension probe").shape[0])
        return self._dim

    def _call(self, texts: Sequence[str]) -> Vectors:
        import openai

        try:
            resp = self._client.embeddings.create(
                model=self._model, input=list(texts),
                dimensions=self._dimensions if self._dimensions else openai.omit,
            )
        except openai.OpenAIError as exc:
            raise EmbeddingError(f"embeddings endpoint failed: {exc}") from exc
        return normalise(np.array([d.embedding for d in resp.data], dtype=np.float32))

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Embed passages in batches."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [self._call(texts[i : i + self._batch]) for i in range(0, len(texts), self._batch)]
        out = np.vstack(parts)
        self._dim = int(out.shape[1])
        return out

    def embed_query(self, text: str) -> Vectors:
        """Embed one query."""
        vector: Vectors = self._call([text])[0]
        return vector
