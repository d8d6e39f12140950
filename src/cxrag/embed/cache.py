"""Vectors of passage sentences, embedded once per process.

The same help-centre sentences come back in reply after reply (popular articles); both the
context selection and the grounding check compare against them, so each is embedded once and
kept in a bounded LRU cache (about 2 kB a sentence at 512 dimensions).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from cxrag.embed.base import Embedder, Vectors


class SentenceVectors:
    """An LRU cache of sentence vectors in front of ``embedder`` (thread-safe)."""

    def __init__(self, embedder: Embedder, size: int = 20_000) -> None:
        self.embedder, self.size = embedder, size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> Vectors:
        """One row per text, in order; only texts not seen recently are embedded."""
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        with self._lock:
            known = {t: v for t in texts if (v := self._cache.get(t)) is not None}
            for t in known:
                self._cache.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = dict(zip(missing, self.embedder.embed_documents(missing), strict=True))
            known.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return np.vstack([known[t] for t in texts])
