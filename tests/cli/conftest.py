"""The command line run in-process: a scratch data folder, the fake embedder, logging restored."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from tests.conftest import FakeEmbedder


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Commands read settings from a clean environment rooted at ``tmp_path / "data"`` (no
    developer ``.env``) and embed with :class:`FakeEmbedder`; returns the data folder.

    ``load_settings`` configures logging on the runner's streams: put it back afterwards."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("CXRAG_")]:
        monkeypatch.delenv(name)
    data = tmp_path / "data"
    monkeypatch.setenv("CXRAG_DATA_DIR", str(data))
    monkeypatch.setattr("cxrag.knowledge.build_embedder", lambda settings: FakeEmbedder())
    monkeypatch.setattr("cxrag.embed.build_embedder", lambda settings: FakeEmbedder())
    handlers = logging.getLogger().handlers[:]
    yield data
    logging.getLogger().handlers[:] = handlers
    structlog.reset_defaults()


def flat(text: str) -> str:
    """``text`` on one line, with rich's wrapping undone."""
    return " ".join(text.split())
