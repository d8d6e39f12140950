"""Embedding backends behind one Protocol; ``build_embedder`` picks one from settings."""

from cxrag.embed.base import Embedder
from cxrag.embed.factory import build_embedder

__all__ = ["Embedder", "build_embedder"]
