"""Prometheus metrics (prometheus_client): what an operator watches on a dashboard.

One registry for the process (``REGISTRY``), served at ``/metrics``. Labels are bounded sets
(route templates, never raw paths; error codes from the error tree; reasons from the reply's
rungs), so a caller cannot grow the series without limit. Names follow Prometheus' conventions:
``cxrag_`` prefix, seconds, ``_total`` counters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from cxrag.tracing import spanned

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0)

HTTP_REQUESTS = Counter("cxrag_http_requests", "HTTP requests answered, by route template "
                        "and status", ["method", "route", "status"], registry=REGISTRY)
HTTP_SECONDS = Histogram("cxrag_http_request_seconds", "Time to answer (to the last byte "
                         "of a stream), by route template", ["method", "route"],
                         buckets=_FAST + _SLOW[6:], registry=REGISTRY)
HTTP_IN_FLIGHT = Gauge("cxrag_http_requests_in_flight", "Requests being answered now",
                       registry=REGISTRY)
ERRORS = Counter("cxrag_errors", "Error answers, by the error tree's code",
                 ["code", "status"], registry=REGISTRY)
LLM_SECONDS = Histogram("cxrag_llm_call_seconds", "Whole chat-model calls", ["outcome"],
                        buckets=_SLOW, registry=REGISTRY)
LLM_FIRST_TOKEN = Histogram("cxrag_llm_time_to_first_token_seconds", "Streamed calls: time "
                            "to the first text delta", buckets=_SLOW, registry=REGISTRY)
LLM_TOKENS = Counter("cxrag_llm_tokens", "Tokens the chat model read (input) and wrote "
                     "(output)", ["kind"], registry=REGISTRY)
RETRIEVAL_SECONDS = Histogram("cxrag_retrieval_leg_seconds", "Search time per retrieval leg",
                              ["leg"], buckets=_FAST, registry=REGISTRY)
REPLIES = Counter("cxrag_replies", "Replies by the rung they landed on (generated, "
                  "extractive, account, handoff, escalated, fallback)", ["rung"],
                  registry=REGISTRY)
HANDOFFS = Counter("cxrag_handoffs", "Conversations handed to a person, by reason and "
                   "whether it was an escalation", ["reason", "kind"], registry=REGISTRY)
INGESTED = Counter("cxrag_ingest_documents", "Documents an ingest run finished with, by outcome",
                   ["outcome"], registry=REGISTRY)
INGEST_RUNS = Counter("cxrag_ingest_runs", "Ingest runs, by outcome", ["outcome"],
                      registry=REGISTRY)
INGEST_CHUNKS = Counter("cxrag_ingest_chunks", "Chunks written to the indexes",
                        registry=REGISTRY)
INGEST_JOBS = Counter("cxrag_ingest_jobs", "Ingest jobs accepted, by how they run (queue: "
                      "workers; local: this process)", ["queue"], registry=REGISTRY)
INGEST_PARTS = Counter("cxrag_ingest_job_parts", "Parts of ingest jobs this process ran, by "
                       "outcome (done, failed, retried)", ["outcome"], registry=REGISTRY)

_T = TypeVar("_T")


def timed_leg(leg: str, fn: Callable[..., _T]) -> Callable[..., _T]:
    """``fn`` that records its duration as retrieval leg ``leg`` (and, when tracing is on,
    runs in a span ``retrieval.<leg>`` under the caller's, on whichever thread it runs)."""
    histogram = RETRIEVAL_SECONDS.labels(leg=leg)
    traced = spanned(f"retrieval.{leg}", fn)

    def run(*args: Any, **kwargs: Any) -> _T:
        began = time.perf_counter()
        try:
            return traced(*args, **kwargs)
        finally:
            histogram.observe(time.perf_counter() - began)
    return run


def exposition() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)
