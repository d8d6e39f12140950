"""The stages an ingest run overlaps: parsed files a thread ahead, writes a thread behind."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cxrag.documents import Chunk, Document
from cxrag.index.writer import Batch  # doc, chunks, source path, existed
from cxrag.ingest.models import Failure, SourceFile


@dataclass
class Parsed:
    """One source file after parsing: its documents, or why it has none."""

    source: SourceFile
    file_hash: str
    docs: list[Document] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    unchanged: bool = False
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)  # of changed documents
    quarantined: set[str] = field(default_factory=set)  # ids screening refused
    # Set when applied: doc id -> the file outside this run it is taken from; and the taken
    # documents whose content is unchanged (only their owner changes).
    moved: dict[str, str] = field(default_factory=dict)
    relocated: list[Document] = field(default_factory=list)


def prefetch(items: Iterable[Parsed], size: int = 64) -> Iterator[Parsed]:
    """Run ``items`` in a background thread, ``size`` ahead (parsing overlaps embedding)."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=size)
    done = object()

    def produce() -> None:
        try:
            for item in items:
                buffer.put(item)
        except BaseException as exc:  # surfaced in the consumer
            buffer.put(exc)
        buffer.put(done)

    threading.Thread(target=produce, daemon=True, name="cxrag-parse").start()
    while (item := buffer.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


Files = list[tuple[Parsed, set[str], set[str]]]  # parsed file, ids gone, ids current


class WriteBehind:
    """Stores embedded batches on one thread, behind the embedder. Batches wait until at
    least ``min_chunks`` chunks are waiting (or the run ends) and are then written together:
    every write costs the stores a fixed price (a Chroma call per collection grows with the
    collection; a tantivy commit), so small embedding batches must not mean small writes. The
    first error stops the writing; :meth:`submit` and :meth:`close` raise it."""

    _END = object()

    def __init__(self, store: Callable[[Batch, np.ndarray | None, Files], None],
                 min_chunks: int) -> None:
        self._store, self._min = store, min_chunks
        self._inbox: queue.Queue[Any] = queue.Queue(maxsize=16)  # bounds memory if it lags
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, daemon=True, name="cxrag-write")
        self._thread.start()

    def submit(self, batch: Batch, vectors: np.ndarray | None, files: Files) -> None:
        """Queue an embedded batch and the files it finishes; raises an earlier write error."""
        self._raise()
        self._inbox.put((batch, vectors, files))

    def close(self, raise_errors: bool = True) -> None:
        """Write what waits, stop the thread; re-raise a write error if asked."""
        self._inbox.put(self._END)
        self._thread.join()
        if raise_errors:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _loop(self) -> None:
        waiting: list[tuple[Batch, np.ndarray | None, Files]] = []
        while True:
            item = self._inbox.get()
            end = item is self._END
            if not end:
                waiting.append(item)
            chunks = sum(len(c) for batch, _, _ in waiting for _, c, _, _ in batch)
            if waiting and (end or chunks >= self._min) and self._error is None:
                try:
                    self._write(waiting)
                except BaseException as exc:  # surfaced in the embedding thread
                    self._error = exc
                waiting = []
            if end:
                return

    def _write(self, waiting: list[tuple[Batch, np.ndarray | None, Files]]) -> None:
        batch = [entry for b, _, _ in waiting for entry in b]
        parts = [v for _, v, _ in waiting if v is not None and len(v)]
        vectors = np.vstack(parts) if parts else None
        self._store(batch, vectors, [f for _, _, files in waiting for f in files])
