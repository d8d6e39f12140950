"""Reply quality on public data: what the whole reply pipeline does with questions nobody on
the project wrote.

Three sets from ``../shared/datasets`` (see its README), each in its own collection:

- ``mtrag``: ``mtrag_fiqa_clapnq``, English multi-turn questions (personal finance forum
  answers and Wikipedia passages) with the earlier turns as history and a reference answer;
  a third of the sample cannot be answered from the passages (``relevant: []``).
- ``gnome-es``: ``gnome_help_es``, Spanish GNOME help page titles against the Spanish pages.
- ``gnome-es2en``: the same Spanish titles (the same query ids) against the English pages:
  the cross-language case.

Each sampled query goes through the product's Responder (triage, condense, retrieve, pack,
generate, guard), as ``cxrag eval run`` does it: temperature 0, the eval model timeouts, and
the eval generation cache, so an unchanged prompt costs nothing on a second run. Per set:

- answered: grounded and not handed over, over the answerable queries
- correct: answered and citing a relevant document, over the answerable queries
- precision: correct over every answered query (an answer to an unanswerable one is wrong)
- abstention: handed over, over the unanswerable queries (mtrag only)
- language: the reply's language is the expected one (en for mtrag, es for the GNOME sets)
- similarity: mean embedding similarity (ragas SemanticSimilarity) of the answer to the
  reference answer, over answered answerable queries (mtrag only: GNOME has no references)
- latency p50 over the replies the model actually generated (cache hits excluded)
- lost at: for answerable queries not answered right, the first pipeline stage that lost them
  (``cxrag.evals.funnel``)

Rates carry Wilson 95% intervals: with 20 queries a set they are about +-20 points, so read
differences between two runs against them.

    .venv/bin/python benchmarks/reply_quality.py --label after
    .venv/bin/python benchmarks/reply_quality.py --sets mtrag gnome-es --per-set 40 --label x
    .venv/bin/python benchmarks/reply_quality.py --sets mtrag --ids ids.txt --label x  # listed ids
    .venv/bin/python benchmarks/reply_quality.py --compare bench-out/reply_quality-before.json \\
        bench-out/reply_quality-after.json

Writes ``bench-out/reply_quality-<label>.json`` (every query with its answer, and the
aggregates) and prints a table per set; ``--compare`` needs no model. The ingested collections
and the generation cache stay in ``bench-out/reply_quality-cache/`` (delete it to start over).
Time on 2 cores with the embedded 1.5B model: the first run ingests the ~940 documents
(~30 s) and every run starts the model (~20 s). A reply takes ~5-10 s on an idle machine
(docs/benchmarks.md), so the default 3 x 20 queries take ~10-15 min; with other model runs
sharing the cores the smoke run's replies took 17-130 s each, which makes it 1-2 hours
(the eval timeouts keep those scored as answers). Unchanged prompts and settings answer from
the cache: a re-run of the same sample takes a minute or two.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ROOT, SHARED, save  # noqa: E402

from cxrag.cli.common import progress_bar  # noqa: E402

CACHE = OUT / "reply_quality-cache"
SEED = 20240611
ANSWER_CHARS = 400
# MTRAG's speakers -> the product's Turn roles. MTRAG's "agent" is the RAG assistant that
# wrote the earlier replies, which the product records as "assistant" (its chat history and
# the golden set do the same); "agent" there is a person on the support team.
ROLES = {"user": "customer", "agent": "assistant"}


@dataclass(frozen=True)
class SetSpec:
    """One dataset: where it is, the collection it is ingested into, what a reply should do."""

    name: str
    folder: str
    collection: str
    language: str  # the language a reply should be in
    unanswerable_share: float  # of the sample; 0 for sets without unanswerable queries
    pool: tuple[str, ...] = ()  # folders whose query ids bound the sample (shared samples)

    @property
    def root(self) -> Path:
        return SHARED / self.folder


_GNOME = ("gnome_help_es", "gnome_help_es2en")
SETS: dict[str, SetSpec] = {s.name: s for s in (
    SetSpec("mtrag", "mtrag_fiqa_clapnq", "rq-mtrag", "en", 1 / 3),
    SetSpec("gnome-es", "gnome_help_es", "rq-gnome-es", "es", 0.0, _GNOME),
    SetSpec("gnome-es2en", "gnome_help_es2en", "rq-gnome-es2en", "es", 0.0, _GNOME),
)}


# -- data -------------------------------------------------------------------------------------
def load_queries(path: Path) -> list[dict[str, Any]]:
    """Every line of a ``queries.jsonl`` (id, text, relevant, and history/answers if any)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append({"id": str(row["id"]), "text": str(row["text"]),
                         "relevant": [str(r) for r in row.get("relevant", [])],
                         "history": list(row.get("history", [])),
                         "answers": [str(a) for a in row.get("answers", [])]})
    return rows


def sample(queries: Sequence[dict[str, Any]], n: int, *, unanswerable_share: float = 0.0,
           seed: int = SEED, allowed: set[str] | None = None) -> list[dict[str, Any]]:
    """``n`` queries drawn with a fixed seed: ``round(n * unanswerable_share)`` unanswerable
    ones (as many as there are) and the rest answerable, each group drawn from its queries
    sorted by id (so the draw does not depend on the file's order); answerable first, then
    unanswerable, each in id order. ``allowed`` limits the pool to those ids (two sets that
    share ids and seed then get the same sample)."""
    pool = sorted((q for q in queries if allowed is None or q["id"] in allowed),
                  key=lambda q: q["id"])
    answerable = [q for q in pool if q["relevant"]]
    unanswerable = [q for q in pool if not q["relevant"]]
    n_un = min(round(n * unanswerable_share), len(unanswerable))
    n_ans = min(n - n_un, len(answerable))
    rng = random.Random(seed)
    picked_ans = rng.sample(answerable, n_ans)
    picked_un = rng.sample(unanswerable, n_un)
    return (sorted(picked_ans, key=lambda q: q["id"])
            + sorted(picked_un, key=lambda q: q["id"]))


def plan(names: Sequence[str], per_set: int, seed: int = SEED,
         ids: set[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The sample of each named set (the GNOME sets share theirs: the same query ids); with
    ``ids``, each set's queries with those ids instead, all of them, in id order."""
    out = {}
    for name in names:
        spec = SETS[name]
        if ids is not None:
            out[name] = sorted((q for q in load_queries(spec.root / "queries.jsonl")
                                if q["id"] in ids), key=lambda q: q["id"])
            continue
        allowed = None
        if spec.pool:
            id_sets = [{q["id"] for q in load_queries(SHARED / f / "queries.jsonl")}
                       for f in spec.pool]
            allowed = set.intersection(*id_sets)
        out[name] = sample(load_queries(spec.root / "queries.jsonl"), per_set,
                           unanswerable_share=spec.unanswerable_share, seed=seed,
                           allowed=allowed)
    return out


def dataset_doc_id(document_id: str) -> str:
    """The dataset's id of a document the product cites. Ingesting ``kb/`` names each file by
    its path under ``kb/`` without the extension (``SourceFile.relative_id``), which is the
    dataset's own id (``kb/t001.md`` -> ``t001``): ``cxrag.evals.retrieval`` compares the two
    as they are, and so does this (only a Windows separator would differ)."""
    return document_id.replace("\\", "/")


def history_turns(history: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role, text) of each earlier turn in the product's roles (see ``ROLES``)."""
    return [(ROLES.get(str(t["role"]), str(t["role"])), str(t["text"])) for t in history]


# -- scoring ----------------------------------------------------------------------------------
def wilson(k: int, n: int) -> tuple[float, float] | None:
    """Wilson score 95% interval of k successes in n (None when n is 0)."""
    if n <= 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def rate(k: int, n: int) -> dict[str, Any]:
    """A proportion with its Wilson interval."""
    ci = wilson(k, n)
    return {"k": k, "n": n, "rate": k / n if n else None,
            "low": ci[0] if ci else None, "high": ci[1] if ci else None}


RATES = (("answered", "answered"), ("correct", "correct"), ("precision", "precision"),
         ("abstention", "abstention"), ("language", "language match"))


def aggregate(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A set's figures from its per-query records (see the module docstring)."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answered = [r for r in records if r["answered"]]
    correct = [r for r in answerable if r["answered"] and r["cited_relevant"]]
    sims = [r["reference_similarity"] for r in records if r["reference_similarity"] is not None]
    latencies = [r["latency_ms"] for r in records if not r.get("cached")]
    return {
        "queries": len(records), "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answered": rate(sum(r["answered"] for r in answerable), len(answerable)),
        "correct": rate(len(correct), len(answerable)),
        "precision": rate(len(correct), len(answered)),
        "abstention": rate(sum(r["handed_over"] for r in unanswerable), len(unanswerable)),
        "language": rate(sum(r["language_match"] for r in records), len(records)),
        "context_relevant": rate(sum(r["context_relevant"] for r in answerable),
                                 len(answerable)),
        "similarity": {"mean": statistics.fmean(sims) if sims else None, "n": len(sims)},
        "latency_p50_ms": statistics.median(latencies) if latencies else None,
        "latency_n": len(latencies),
        "cached": sum(bool(r.get("cached")) for r in records),
        "lost_at": dict(Counter(r["lost_at"] for r in records if r.get("lost_at")).most_common()),
        "rungs": dict(Counter(r["rung"] for r in records if r.get("rung")).most_common()),
        "handoff_reasons": dict(Counter(r["handoff_reason"] for r in records
                                        if r["handoff_reason"]).most_common()),
    }


def record(spec: SetSpec, query: dict[str, Any], reply: Any, *, cached: bool,
           similarity: Callable[[str, str], float] | None) -> dict[str, Any]:
    """One query's outcome from its ``Reply`` (duck-typed: anything with a Reply's fields)."""
    from cxrag.evals.funnel import stage

    relevant = set(query["relevant"])
    cited = [dataset_doc_id(c.document_id) for c in reply.citations]
    context = [dataset_doc_id(p.document_id) for p in reply.passages]
    handoff = reply.handoff
    answered = bool(reply.grounded) and handoff is None
    answerable = bool(relevant)
    guard = reply.trace.get("guard") or {}
    score = None
    if similarity is not None and answered and answerable and query["answers"]:
        score = max(similarity(ref, reply.answer) for ref in query["answers"])
    # the row shape cxrag.evals.funnel reads (as runner.result_row writes it)
    row = {"expect_handoff": not answerable, "relevant": sorted(relevant), "facts": [],
           "handoff": None if handoff is None else {"reason": handoff.reason,
                                                    "queue": handoff.queue},
           "grounded": reply.grounded, "cited_ids": cited, "context_ids": context,
           "retrieved_ids": [dataset_doc_id(d) for d in reply.trace.get("retrieved_ids", [])],
           "model_text": reply.trace.get("model_text"), "guard": reply.trace.get("guard")}
    return {
        "id": query["id"], "set": spec.name, "message": query["text"],
        "turns": len(query["history"]), "answerable": answerable, "answered": answered,
        "handed_over": handoff is not None,
        "rung": getattr(reply, "rung", None),  # generated | extractive | handoff | ... if any
        "handoff_reason": handoff.reason if handoff is not None else None,
        "guard_reason": guard.get("reason"),
        "guard_relevance": guard.get("relevance"),
        "cited_relevant": bool(relevant & set(cited)),
        "context_relevant": bool(relevant & set(context)),
        "retrieved_relevant": bool(relevant & set(row["retrieved_ids"])),
        "reference_similarity": score,
        "language": reply.language, "language_match": reply.language == spec.language,
        "latency_ms": reply.latency_ms, "cached": cached,
        "lost_at": stage(row) if answerable else None,
        "relevant": sorted(relevant), "cited": cited, "context": context,
        "question": reply.question, "answer": reply.answer[:ANSWER_CHARS],
    }


# -- tables -----------------------------------------------------------------------------------
def _fmt_rate(m: dict[str, Any] | None) -> str:
    if not m or m.get("rate") is None:
        return "-"
    return f"{m['rate']:.2f} [{m['low']:.2f}-{m['high']:.2f}] {m['k']}/{m['n']}"


def _fmt_num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _rows(agg: dict[str, Any] | None) -> list[str]:
    agg = agg or {}
    out = [_fmt_rate(agg.get(key)) for key, _ in RATES]
    sim = agg.get("similarity") or {}
    out.append(f"{_fmt_num(sim.get('mean'))} n={sim.get('n', 0)}" if sim else "-")
    lat = agg.get("latency_p50_ms")
    out.append("-" if lat is None else f"{lat:.0f} n={agg.get('latency_n', 0)}")
    return out


LABELS = [label for _, label in RATES] + ["similarity", "latency p50 ms"]


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join
    return "\n".join(line(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in [header, *rows])


def table(name: str, agg: dict[str, Any]) -> str:
    """One set's figures, one line each."""
    rows = [[label, value] for label, value in zip(LABELS, _rows(agg), strict=True)]
    lost = ", ".join(f"{k} {v}" for k, v in (agg.get("lost_at") or {}).items()) or "-"
    head = (f"{name}: {agg['queries']} queries ({agg['answerable']} answerable), "
            f"{agg.get('cached', 0)} from the cache")
    rungs = ", ".join(f"{k} {v}" for k, v in (agg.get("rungs") or {}).items()) or "-"
    return (f"{head}\n{_grid(['metric', 'value [95% CI] k/n'], rows)}\n  lost at: {lost}"
            f"\n  rungs: {rungs}")


def _diff(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if not a or not b or a.get("rate") is None or b.get("rate") is None:
        return "-"
    disjoint = a["high"] < b["low"] or b["high"] < a["low"]
    return f"{b['rate'] - a['rate']:+.2f}{' *' if disjoint else ''}"


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Side by side: the aggregates of two saved runs (A then B), their intervals and B - A;
    ``*`` marks a difference whose intervals do not overlap."""
    la, lb = a.get("label", "A"), b.get("label", "B")
    parts = [f"A = {la} ({a.get('when', '?')}, {a.get('prompt_version', '?')}, "
             f"{a.get('model', '?')})",
             f"B = {lb} ({b.get('when', '?')}, {b.get('prompt_version', '?')}, "
             f"{b.get('model', '?')})"]
    sets_a, sets_b = a.get("sets", {}), b.get("sets", {})
    for name in [*sets_a, *(s for s in sets_b if s not in sets_a)]:
        sa, sb = sets_a.get(name) or {}, sets_b.get(name) or {}
        ga, gb = sa.get("aggregates"), sb.get("aggregates")
        ra, rb = _rows(ga), _rows(gb)
        rows = []
        for (key, label), va, vb in zip(RATES, ra, rb, strict=False):
            rows.append([label, va, vb, _diff((ga or {}).get(key), (gb or {}).get(key))])
        sim_a = ((ga or {}).get("similarity") or {}).get("mean")
        sim_b = ((gb or {}).get("similarity") or {}).get("mean")
        rows.append(["similarity", ra[-2], rb[-2], "-" if sim_a is None or sim_b is None
                     else f"{sim_b - sim_a:+.3f}"])
        lat_a, lat_b = (ga or {}).get("latency_p50_ms"), (gb or {}).get("latency_p50_ms")
        rows.append(["latency p50 ms", ra[-1], rb[-1], "-" if lat_a is None or lat_b is None
                     else f"{lat_b - lat_a:+.0f}"])
        ids_a = [q["id"] for q in sa.get("queries", [])]
        ids_b = [q["id"] for q in sb.get("queries", [])]
        note = "" if ids_a == ids_b else "  (NOT the same queries: differences mix samples)"
        parts.append(f"\n{name}{note}\n" + _grid(["metric", f"A {la}", f"B {lb}", "B-A"], rows))
    parts.append("\n* the two 95% intervals do not overlap")
    return "\n".join(parts)


# -- running ----------------------------------------------------------------------------------


def run(names: Sequence[str], per_set: int, label: str, *, prompt_version: str | None,
        use_cache: bool, seed: int = SEED, ids: set[str] | None = None) -> Path:
    """Ingest (incremental), reply to each sampled query, save and print."""
    from cxrag.evals.cache import CachedChat
    from cxrag.evals.metrics import SimilarityScorer
    from cxrag.evals.runner import EvalRunner, git_revision
    from cxrag.logs import configure_logging
    from cxrag.reply.models import ReplyRequest, Turn
    from cxrag.settings import Settings

    configure_logging("console", "WARNING")
    samples = plan(names, per_set, seed, ids)
    if ids is not None:  # only the sets that hold one of the ids
        names = [name for name in names if samples[name]]
        if not names:
            raise SystemExit("--ids: none of these query ids is in the sets asked for")
    settings = Settings(data_dir=CACHE, _env_file=None,
                        prompts={"dir": ROOT / "prompts"},
                        eval={"knowledge_dir": ROOT / "knowledge", "cache": use_cache})
    runner = EvalRunner(settings)  # eval temperature and timeouts, the generation cache
    s = runner.settings
    results: dict[str, Any] = {}
    try:
        ingests = {}
        for name in names:
            spec = SETS[name]
            kb = runner.knowledge.get(spec.collection)
            with progress_bar(f"ingest {spec.collection}") as progress:
                report = kb.ingestor.run([spec.root / "kb"], progress=progress)
            ingests[name] = report.as_dict()
            print(f"ingest {spec.collection}: {report.added} added, {report.unchanged} "
                  f"unchanged, {len(report.failures)} failed, {report.seconds:.0f} s",
                  file=sys.stderr)
        started = time.perf_counter()
        assistant = runner.assistant()  # starts the embedded model
        print(f"model ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        model = assistant.model
        similarity = SimilarityScorer(runner.knowledge.embedder)
        for name in names:
            spec = SETS[name]
            responder = assistant.responder(spec.collection)
            rows = []
            began = time.perf_counter()
            with progress_bar(f"replies {name}") as progress:
                progress("total", len(samples[name]))
                for query in samples[name]:
                    hits = model.hits if isinstance(model, CachedChat) else 0
                    misses = model.misses if isinstance(model, CachedChat) else 0
                    turns = [Turn(role, text) for role, text in history_turns(query["history"])]
                    reply = responder.reply(ReplyRequest(query["text"], turns,
                                                         prompt_version=prompt_version))
                    cached = (isinstance(model, CachedChat) and model.misses == misses
                              and model.hits > hits)
                    rows.append(record(spec, query, reply, cached=cached,
                                       similarity=similarity))
                    progress("advance", 1)
            agg = aggregate(rows)
            results[name] = {"dataset": spec.folder, "collection": spec.collection,
                             "expected_language": spec.language, "ingest": ingests[name],
                             "seconds": round(time.perf_counter() - began, 1),
                             "aggregates": agg, "queries": rows}
            print(table(name, agg) + "\n")
    finally:
        runner.close()
    path = save(f"reply_quality-{label}", {
        "label": label, "per_set": per_set, "seed": seed, "ids": sorted(ids) if ids else None,
        "git": git_revision(ROOT),
        "prompt_version": prompt_version or s.prompts.version, "model": s.llm.model,
        "llm_backend": s.llm.backend, "temperature": s.llm.temperature,
        "embedding_model": runner.knowledge.embedder.model_id, "generation_cache": use_cache,
        "settings": {"retrieval": s.retrieval.model_dump(mode="json"),
                     "prompts": s.prompts.model_dump(mode="json"),
                     "chunking": s.chunking.model_dump(mode="json")},
        "sets": results,
    })
    print(f"wrote {path}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS),
                        help="which sets (default: all three)")
    parser.add_argument("--per-set", type=int, default=20, help="queries a set (default 20)")
    parser.add_argument("--label", default="current",
                        help="names the output: bench-out/reply_quality-LABEL.json")
    parser.add_argument("--prompt-version", default=None, help="default: the settings' one")
    parser.add_argument("--seed", type=int, default=SEED, help="sampling seed")
    parser.add_argument("--ids", type=Path, default=None,
                        help="a file of query ids, one a line: reply to those queries of each "
                        "set instead of the sample (e.g. the questions a rule acts on)")
    parser.add_argument("--no-cache", action="store_true",
                        help="generate every reply (for latency); default: reuse the cache")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"),
                        help="print two saved runs side by side and exit (no model)")
    args = parser.parse_args(argv)
    if args.compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        print(compare(a, b))
        return 0
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", args.label):
        parser.error("--label: letters, digits, '.', '_' and '-' only")
    if args.per_set < 1:
        parser.error("--per-set must be at least 1")
    ids = None
    if args.ids is not None:
        if not args.ids.is_file():
            parser.error(f"--ids: no such file: {args.ids}")
        ids = {line.strip() for line in args.ids.read_text(encoding="utf-8").splitlines()
               if line.strip()}
        if not ids:
            parser.error(f"--ids: {args.ids} lists no query id")
    run(args.sets, args.per_set, args.label, prompt_version=args.prompt_version,
        use_cache=not args.no_cache, seed=args.seed, ids=ids)
    return 0


if __name__ == "__main__":
    sys.exit(main())
