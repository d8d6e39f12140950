"""Pick the embedding backend named in settings."""

from __future__ import annotations

from cxrag.embed.base import Embedder
from cxrag.settings import EmbeddingSettings


def build_embedder(settings: EmbeddingSettings) -> Embedder:
    """Build the configured embedder (loading a local model takes ~0.5 s)."""
    if settings.model == "use-multilingual":
        from cxrag.embed.onnx import UseMultilingualEmbedder

        return UseMultilingualEmbedder(settings.batch_size or 8, settings.threads)
    if settings.model == "minilm-en":
        from cxrag.embed.onnx import MiniLmEnglishEmbedder

        return MiniLmEnglishEmbedder(settings.batch_size or 16, settings.threads)
    from cxrag.embed.remote import OpenAICompatibleEmbedder

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAICompatibleEmbedder(
        settings.openai_base_url,
        settings.openai_model,
        key,
        settings.openai_dimensions,
        settings.timeout_s,
        settings.batch_size or 16,
    )
