"""The eval's generation cache: a replay gives back everything the model gave, and a cache
file written before a column existed still opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from cxrag.evals.cache import CachedChat
from cxrag.generate.client import ChatResult

MESSAGES = [{"role": "user", "content": "Text: thanks!\nSentiment:"}]


class Counting:
    """Answers "positive" with its first token's alternatives; counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def complete(self, messages: Any, **opts: Any) -> ChatResult:
        self.calls += 1
        return ChatResult("positive", "m", 5.0, {"output_tokens": 1},
                          (("positive", -0.1), ("neutral", -2.5)))

    def stream(self, messages: Any, **opts: Any) -> Any:
        raise NotImplementedError


def test_a_replay_gives_back_the_alternatives_too(tmp_path: Path) -> None:
    inner = Counting()
    first = CachedChat(inner, tmp_path / "g.sqlite", identity={"model": "m"})
    made = first.complete(MESSAGES, logprobs=True, top_logprobs=2)
    first.close()
    again = CachedChat(inner, tmp_path / "g.sqlite", identity={"model": "m"})
    replayed = again.complete(MESSAGES, logprobs=True, top_logprobs=2)
    assert inner.calls == 1 and again.hits == 1
    assert replayed.text == made.text and replayed.alternatives == made.alternatives


def test_a_cache_file_from_before_the_alternatives_still_replays(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE generations (key TEXT PRIMARY KEY, text TEXT, model TEXT, "
               "usage TEXT)")
    inner = Counting()
    key = CachedChat(inner, tmp_path / "scratch.sqlite", identity={"model": "m"}).key(
        MESSAGES, {})
    db.execute("INSERT INTO generations VALUES (?, 'neutral', 'm', '{}')", (key,))
    db.commit()
    db.close()
    cache = CachedChat(inner, path, identity={"model": "m"})
    old = cache.complete(MESSAGES)
    assert (old.text, old.alternatives, inner.calls) == ("neutral", (), 0)
    assert cache.complete(MESSAGES, logprobs=True).alternatives == (
        ("positive", -0.1), ("neutral", -2.5))  # a new request is generated and kept
