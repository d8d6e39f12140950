"""LLM-judged metrics through ragas: faithfulness and answer relevancy.

The judge is any OpenAI-compatible endpoint (``CXRAG_EVAL__JUDGE_BASE_URL``) or the embedded
model. A 1.5B judge is not a reliable one (ragas' statement extraction and verdicts from it
vary between runs), so the judge re-scores a few cases at another sampling temperature and the
run records how far the two verdicts differ: the report shows that figure beside the scores.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import structlog

from cxrag.embed.base import Embedder
from cxrag.errors import ConfigurationError
from cxrag.reply.assistant import Assistant
from cxrag.settings import Settings

log = structlog.get_logger(__name__)
REPEATS = 4  # cases judged twice to measure the judge's own agreement
REPEAT_TEMPERATURE = 0.7


class Judge:
    """Scores answered cases with ragas' collections metrics, ``concurrency`` at a time."""

    def __init__(self, base_url: str, api_key: str, model: str, kind: str, embedder: Embedder,
                 concurrency: int = 1, timeout_s: float = 600.0) -> None:
        from openai import AsyncOpenAI
        from ragas.llms import llm_factory
        from ragas.metrics.collections import AnswerRelevancy, Faithfulness

        from cxrag.evals.metrics import ragas_embeddings

        client = AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s,
                             max_retries=1)
        self.kind, self.model, self.concurrency = kind, model, concurrency
        # The verdicts at temperature 0; the repeats sample at REPEAT_TEMPERATURE, so their
        # agreement shows how much a verdict hangs on one sampling path.
        self._metrics = {}
        for temperature in (0.0, REPEAT_TEMPERATURE):
            llm = llm_factory(model, client=client, max_tokens=768, temperature=temperature)
            self._metrics[temperature] = (
                Faithfulness(llm=llm),
                AnswerRelevancy(llm=llm, embeddings=ragas_embeddings(embedder), strictness=1))
        self.failures = 0
        self.agreement: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings, kind: str, assistant: Assistant,
                      embedder: Embedder) -> Judge:
        """The judge ``kind`` names: ``embedded`` (the running model) or ``remote``."""
        ev = settings.eval
        if kind == "embedded":
            runtime = assistant.runtime
            if runtime is None:
                raise ConfigurationError("the embedded judge needs the embedded LLM backend; "
                                         "configure CXRAG_EVAL__JUDGE_BASE_URL for another")
            return cls(runtime.base_url, runtime.api_key, settings.llm.model, kind, embedder)
        if not ev.judge_base_url:
            raise ConfigurationError("a remote judge needs CXRAG_EVAL__JUDGE_BASE_URL")
        key = ev.judge_api_key.get_secret_value() if ev.judge_api_key else "not-needed"
        return cls(ev.judge_base_url, key, ev.judge_model or settings.llm.model, kind, embedder,
                   ev.concurrency)

    async def _case(self, row: dict[str, Any], gate: asyncio.Semaphore,
                    temperature: float = 0.0) -> dict[str, float]:
        contexts = [c["text"] for c in row["context"]] or [""]
        faithfulness, relevancy = self._metrics[temperature]
        out: dict[str, float] = {}
        async with gate:
            for name, call in (
                ("faithfulness", lambda: faithfulness.ascore(
                    user_input=row["message"], response=row["answer"],
                    retrieved_contexts=contexts)),
                ("answer_relevancy", lambda: relevancy.ascore(
                    user_input=row["message"], response=row["answer"])),
            ):
                try:
                    out[name] = float((await call()).value)  # type: ignore[no-untyped-call]
                except Exception as exc:  # ragas raises many kinds on unparsable judge output
                    self.failures += 1
                    log.warning("eval.judge.failed", case=row["id"], metric=name,
                                error=repr(exc)[:200])
        return out

    def score(self, rows: list[dict[str, Any]]) -> None:
        """Add ``faithfulness`` and ``answer_relevancy`` to the scores of answered cases."""
        answered = [r for r in rows if r["handoff"] is None and r["answer"].strip()]

        async def run_all() -> list[dict[str, float]]:
            gate = asyncio.Semaphore(self.concurrency)
            return await asyncio.gather(
                *(self._case(r, gate) for r in answered),
                *(self._case(r, gate, REPEAT_TEMPERATURE) for r in answered[:REPEATS]))

        results = asyncio.run(run_all())
        for row, scores in zip(answered, results, strict=False):
            row["scores"].update(scores)
        diffs = [abs(a[m] - b[m]) for a, b in zip(results[:REPEATS], results[len(answered):],
                                                  strict=False)
                 for m in a if m in b]
        self.agreement = float(1 - np.mean(diffs)) if diffs else None

    def describe(self) -> dict[str, Any]:
        """What the run records about its judge."""
        return {"kind": self.kind, "model": self.model, "failures": self.failures,
                "repeat_agreement": self.agreement, "repeats": REPEATS,
                "note": f"1 - mean |difference| between the verdicts at temperature 0 and "
                        f"{REPEAT_TEMPERATURE} on the same cases; with a small local judge "
                        "the scores are indicative only"}
