"""What the guard's tests with the real multilingual embedder share: the model (loaded once a
module, about 1 s), the checker with the shipped settings, and hand-made passages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxrag.compose.context import Passage
from cxrag.embed.base import Embedder
from cxrag.guard.grounding import GroundingChecker


def passage(n: int, title: str, text: str, language: str) -> Passage:
    """Passage ``n`` of a prompt, as the reply path numbers it."""
    return Passage(n, f"kb/{n}", f"kb/{n}#0", title, f"kb/{n}.md", text, language, 1.0, 40)


@pytest.fixture(scope="module")
def real_embedder() -> Iterator[Embedder]:
    from cxrag.embed.factory import build_embedder
    from cxrag.settings import EmbeddingSettings

    yield build_embedder(EmbeddingSettings())


@pytest.fixture(scope="module")
def checker(real_embedder: Embedder) -> GroundingChecker:
    return GroundingChecker(real_embedder)  # the shipped, calibrated thresholds
