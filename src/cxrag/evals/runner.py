"""``cxrag eval run``: the real reply pipeline over a suite of cases, scored and recorded.

Each case goes through the same Responder the chat API uses (retrieval, context packing,
prompt, the configured model, the grounding guard), on a collection built from the sample
knowledge base and a history store holding its customers. A run writes ``run.json`` (every
case with its inputs, context, answer and scores; the aggregates; what produced it) and
``report.html`` into its folder.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from cxrag import __version__
from cxrag.errors import ConfigurationError, InvalidRequest
from cxrag.evals.bias import disparities
from cxrag.evals.cache import CachedChat
from cxrag.evals.cases import Case, load_bias, load_suite, variants
from cxrag.evals.funnel import funnel
from cxrag.evals.metrics import METRICS, SimilarityScorer, aggregate, score_case
from cxrag.evals.tone import ToneClassifier
from cxrag.generate.client import ChatModel
from cxrag.knowledge import Knowledge, KnowledgeBase
from cxrag.privacy import redact_json
from cxrag.reply.assistant import Assistant
from cxrag.reply.chat import customer_context
from cxrag.reply.models import Reply, ReplyRequest, Turn
from cxrag.settings import Settings
from cxrag.store import HistoryStore, migrate

log = structlog.get_logger(__name__)
Progress = Callable[[str, int], None]
"""``("total", n)`` once, then ``("advance", 1)`` per finished case."""


@dataclass(frozen=True)
class RunOptions:
    """What to run and how."""

    suite: str
    cases: Sequence[Case]
    suite_file: Path | None = None
    prompt_version: str | None = None
    judge: str = "off"  # off | embedded | remote


def resolve_suite(settings: Settings, suite: str, *, fast: bool = False,
                  per_group: int | None = 2, prompt_version: str | None = None,
                  judge: str = "off", limit: int | None = None) -> RunOptions:
    """``golden``, ``fast`` (the golden cases marked fast), ``bias`` (variants of the bias
    seeds, ``per_group`` values per attribute), or the path of a suite file."""
    root = settings.eval.dir
    if suite == "bias" or suite.endswith("bias.yaml"):
        path = root / "bias.yaml" if suite == "bias" else Path(suite)
        cases = variants(load_bias(path), per_group)
        name = "bias"
    else:
        path = root / "golden.yaml" if suite in {"golden", "fast"} else Path(suite)
        loaded = load_suite(path)
        cases = list(loaded.cases)
        name = loaded.suite
        if fast or suite == "fast":
            cases = [c for c in cases if c.fast]
            name = "fast"
    return RunOptions(name, cases[:limit], path, prompt_version, judge)


def git_revision(root: Path | None = None) -> dict[str, Any]:
    """The commit and whether the tree had changes (None outside a git checkout)."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                  timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def _digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


class EvalRunner:
    """Prepares the knowledge and the store once, then runs suites against them."""

    def __init__(self, settings: Settings, *, chat: ChatModel | None = None,
                 knowledge: Knowledge | None = None) -> None:
        # Repeatable generations by default, and time enough on a loaded machine: evals
        # measure answers, not latency.
        patience = max(settings.llm.timeout_s, settings.eval.timeout_s)
        update: dict[str, Any] = {"timeout_s": patience, "reply_deadline_s": max(
            settings.llm.reply_deadline_s, patience)}
        if settings.eval.temperature is not None:
            update["temperature"] = settings.eval.temperature
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update=update)})
        self.settings = settings
        self.knowledge = knowledge or Knowledge(settings)
        self._chat = chat
        self._assistant: Assistant | None = None
        self._cache: CachedChat | None = None
        self._kb: KnowledgeBase | None = None

    # -- set-up -----------------------------------------------------------------------------
    def prepare(self, progress: Progress | None = None) -> KnowledgeBase:
        """Index the sample knowledge (incremental; once per runner)."""
        if self._kb is not None:
            return self._kb
        root = self.settings.eval.knowledge_dir
        paths = [p for p in (root / "articles", root / "tickets") if p.exists()]
        if not paths:
            raise ConfigurationError(f"no articles/ or tickets/ under {root} "
                                     "(CXRAG_EVAL__KNOWLEDGE_DIR)")
        kb = self.knowledge.get(self.settings.eval.collection)
        report = kb.ingestor.run(paths, progress=progress)
        if report.failures:
            log.warning("eval.ingest.partial", failed=[f.source for f in report.failures])
        self._kb = kb
        return kb

    def assistant(self) -> Assistant:
        """The reply pipeline (starts the embedded model on first use)."""
        if self._assistant is None:
            s = self.settings
            home = s.data_dir / "eval"
            home.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{(home / 'history.sqlite').resolve()}"
            migrate(url)
            store = HistoryStore.from_url(url)
            customers = s.eval.knowledge_dir / "customers" / "customers.json"
            if customers.exists():
                store.import_customers_json(s.tenant, customers)
            assistant = Assistant(s, self.knowledge, chat=self._chat, store=store)
            if s.eval.cache:
                self._cache = CachedChat(assistant.model, home / "generations.sqlite",
                                         identity=self._identity())
                assistant.model = self._cache
            self._assistant = assistant
        return self._assistant

    def _identity(self) -> dict[str, Any]:
        llm = self.settings.llm
        return {"backend": llm.backend, "base_url": llm.base_url if llm.backend != "embedded"
                else "embedded", "model": llm.model, "temperature": llm.temperature,
                **({"grammar": llm.grammar} if llm.grammar else {})}

    def close(self) -> None:
        """Stop the model, close the store and the cache."""
        if self._assistant is not None:
            self._assistant.close()
            self._assistant = None
        if self._cache is not None:
            self._cache.close()
        self.knowledge.close()
        self._kb = None

    # -- running ----------------------------------------------------------------------------
    def run(self, options: RunOptions, progress: Progress | None = None) -> dict[str, Any]:
        """Every case of ``options``, scored; the run record (see the module docstring)."""
        if not options.cases:
            raise InvalidRequest(f"suite {options.suite!r} selects no cases")
        kb = self.prepare()
        assistant = self.assistant()
        responder = assistant.responder(kb.collection)
        similarity = SimilarityScorer(self.knowledge.embedder)
        began = time.perf_counter()
        if progress:
            progress("total", len(options.cases))

        def one(case: Case) -> dict[str, Any]:
            row = self._run_case(case, responder, assistant, options, similarity)
            if progress:
                progress("advance", 1)
            return row

        with ThreadPoolExecutor(self.settings.eval.concurrency) as pool:
            rows = list(pool.map(one, options.cases))
        if options.judge != "off":
            from cxrag.evals.judge import Judge

            judge = Judge.from_settings(self.settings, options.judge, assistant,
                                        self.knowledge.embedder)
            judge.score(rows)
            judge_info = judge.describe()
        else:
            judge_info = {"kind": "off"}
        seconds = time.perf_counter() - began
        run = {
            "meta": self._meta(options, seconds, judge_info),
            "metrics": aggregate(rows),
            "metric_descriptions": METRICS,
            "cases": rows,
            "funnel": funnel(rows),
            # how replies came about: generated, extractive, handoff, escalated, fallback
            "rungs": dict(Counter(str(r.get("rung")) for r in rows)),
        }
        if any(r["attribute"] for r in rows):
            tone = ToneClassifier(assistant.model, assistant.prompts, options.prompt_version)
            run["bias"] = disparities(rows, self.knowledge.embedder, tone)
            for row in rows:  # the likeliest word too (no second call), to read beside it
                if row.get("attribute"):
                    row["tone_label"] = tone.label(row["answer"])
        return run

    def _run_case(self, case: Case, responder: Any, assistant: Assistant, options: RunOptions,
                  similarity: SimilarityScorer) -> dict[str, Any]:
        customer = (customer_context(assistant.store, self.settings.tenant, case.customer_id)
                    if case.customer_id else None)
        if case.customer_id and customer is None:
            raise InvalidRequest(f"case {case.id}: no customer {case.customer_id} in "
                                 f"{self.settings.eval.knowledge_dir}/customers")
        request = ReplyRequest(case.message, [Turn(t.role, t.text) for t in case.history],
                               customer, None, options.prompt_version)
        reply: Reply = responder.reply(request)
        row = result_row(case, reply)
        row["scores"] = score_case(row, similarity)
        return row

    def _meta(self, options: RunOptions, seconds: float, judge: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        prompt_dir = s.prompts.dir / (options.prompt_version or s.prompts.version)
        cache = self._cache
        return {
            "suite": options.suite,
            "suite_file": str(options.suite_file) if options.suite_file else None,
            "suite_digest": _digest([options.suite_file]) if options.suite_file else None,
            "cases": len(options.cases),
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "git": git_revision(),
            "cxrag": __version__,
            "python": platform.python_version(),
            "prompt_version": options.prompt_version or s.prompts.version,
            "prompt_digest": _digest(list(prompt_dir.glob("*.yaml")))
            if prompt_dir.is_dir() else None,
            "model": s.llm.model,
            "llm_backend": s.llm.backend,
            "embedding_model": self.knowledge.embedder.model_id,
            "judge": judge,
            "cache": {"hits": cache.hits, "misses": cache.misses} if cache else None,
            "settings": {
                "retrieval": s.retrieval.model_dump(mode="json"),
                "prompts": s.prompts.model_dump(mode="json"),
                "chunking": s.chunking.model_dump(mode="json"),
                "llm": s.llm.model_dump(mode="json", exclude={"api_key"}),
                "collection": s.eval.collection,
            },
        }


def result_row(case: Case, reply: Reply) -> dict[str, Any]:
    """One case's inputs and what the pipeline did with them (the fields metrics read)."""
    return {
        "id": case.id, "category": case.category, "language": case.language,
        "message": case.message, "customer_id": case.customer_id,
        "history": [t.model_dump() for t in case.history],
        "reference": case.reference, "facts": list(case.facts),
        "relevant": list(case.relevant), "expect_handoff": case.handoff,
        "group": case.group, "attribute": case.attribute, "value": case.value,
        "answer": reply.answer, "grounded": reply.grounded, "rung": reply.rung,
        "handoff": None if reply.handoff is None else {
            "reason": reply.handoff.reason, "queue": reply.handoff.queue},
        "reply_language": reply.language, "question": reply.question,
        "cited_ids": [c.document_id for c in reply.citations],
        "context_ids": [p.document_id for p in reply.passages],
        "context": [{"document_id": p.document_id, "title": p.title, "text": p.text}
                    for p in reply.passages],
        "latency_ms": reply.latency_ms, "usage": reply.usage,
        "retrieved_ids": list(reply.trace.get("retrieved_ids", [])),
        "model_text": reply.trace.get("model_text"), "guard": reply.trace.get("guard"),
    }


def write_run(run: dict[str, Any], out_dir: Path) -> Path:
    """``run.json`` and ``report.html`` in ``out_dir``; returns the JSON's path."""
    from cxrag.evals.report import write_report

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "run.json"
    cases = [redact_json(case) for case in run["cases"]]  # artefacts get shared: no PII
    run = {**run, "cases": cases}
    path.write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    write_report(run, out_dir / "report.html")
    return path


def load_run(path: Path) -> dict[str, Any]:
    """A run written by ``write_run`` (its folder or its run.json)."""
    path = path / "run.json" if path.is_dir() else path
    try:
        run: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidRequest(f"no eval run at {path}") from exc
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"{path} is not a run.json: {exc}") from exc
    if "cases" not in run or "meta" not in run:
        raise InvalidRequest(f"{path} is not a run.json (no meta/cases)")
    return run
