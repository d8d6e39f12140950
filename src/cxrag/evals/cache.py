"""Generations cached by their whole input: a re-run of an unchanged case costs nothing.

The key is a hash of the messages (which carry the prompt version, the passages and the
customer's data), the model, the endpoint and the generation options, so changing any of
them (a prompt file, the context budget, the model) misses the cache, and nothing else does.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cxrag.generate.client import ChatModel, ChatResult, Messages


class CachedChat:
    """A ChatModel that answers repeated requests from a SQLite file."""

    def __init__(self, inner: ChatModel, path: Path, *, identity: dict[str, Any]) -> None:
        self.inner = inner
        self._identity = identity
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS generations "
                         "(key TEXT PRIMARY KEY, text TEXT, model TEXT, usage TEXT)")
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(generations)")}
        if "alternatives" not in columns:  # a cache file written before they were kept
            self._db.execute("ALTER TABLE generations ADD COLUMN alternatives TEXT "
                             "NOT NULL DEFAULT '[]'")
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def key(self, messages: Messages, opts: dict[str, Any]) -> str:
        """The cache key of one request."""
        blob = json.dumps({"messages": messages, "opts": opts, **self._identity},
                          sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def complete(self, messages: Messages, **opts: Any) -> ChatResult:
        """The cached result, or the inner model's (then stored)."""
        key = self.key(messages, opts)
        with self._lock:
            row = self._db.execute("SELECT text, model, usage, alternatives FROM generations "
                                   "WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.hits += 1
            return ChatResult(row[0], row[1], 0.0, json.loads(row[2]),
                              tuple((str(t), float(p)) for t, p in json.loads(row[3])))
        self.misses += 1
        result = self.inner.complete(messages, **opts)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO generations "
                             "(key, text, model, usage, alternatives) VALUES (?, ?, ?, ?, ?)",
                             (key, result.text, result.model, json.dumps(result.usage),
                              json.dumps(result.alternatives)))
        return result

    def stream(self, messages: Messages, *, usage: dict[str, int] | None = None,
               **opts: Any) -> Iterator[str]:
        """The whole (cached) completion as one delta."""
        result = self.complete(messages, **opts)
        if usage is not None:
            usage.update(result.usage)
        yield result.text

    def close(self) -> None:
        """Close the file."""
        self._db.close()
