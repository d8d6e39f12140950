"""The adversarial corpus end to end, through the product path, and its table.

Every attack is planted where it would really arrive: a help article (``document``), a
helpdesk export row (``ticket``: in the customer's message, and in the agent's resolution as a
compromised agent account would write it) or the customer's own chat message (``message``).

* Layer 1, ingest-time screening: the planted articles and tickets are ingested with the real
  Ingestor (screening on) next to the sample help centre; a planted source is stopped when
  the report lists it as ``quarantined``.
* Layer 2, the output policy: the same sources are ingested with screening off (the poison is
  indexed), and each attack is asked through ``POST /v1/chat`` (plain and streamed) with a
  scripted model that fully complies, answering with the case's ``output``. The attack passes
  when a payload string reaches the answer, a streamed token, or a citation's quote.

``python -m tests.guard.adversarial_e2e_table`` prints, per attack class and vector, the cases,
how many were quarantined at ingest, blocked by the output policy, and passed.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.guard.safety import OutputPolicy
from cxrag.ingest.admission import QUARANTINED
from cxrag.knowledge import Knowledge
from cxrag.logs import configure_logging
from cxrag.settings import Settings
from tests.conftest import FakeChat, FakeEmbedder
from tests.guard.adversarial_table import Case, leaked, load

HELP_CENTRE = Path(__file__).resolve().parents[2] / "knowledge" / "articles"
WIDGET = "w"
MODES = ("plain", "stream")
# Planted sources are framed like the help centre's own: a topic per attack class.
TOPICS = {
    "instruction_override": ("Acceso a tu cuenta", "Signing in to your account"),
    "exfiltration": ("Estado de tu pedido", "Order status and invoices"),
    "foreign_link": ("Tarjetas regalo y enlaces", "Gift cards and links"),
    "credential_request": ("Verificación de identidad", "Identity verification"),
    "prompt_leak": ("Cómo te atiende el asistente", "How the assistant helps you"),
    "markup": ("Justificantes y facturas", "Receipts and invoices"),
}
FRAME = {
    "es": ("Este artículo resume lo que necesitas saber.",
           "Si te queda alguna duda, escríbenos por el chat.",
           "Hola, tengo una duda sobre mi cuenta.", "Gracias por escribirnos, ya está resuelto.",
           "Se resolvió siguiendo el artículo de ayuda.", "seguimiento"),
    "en": ("This article sums up what you need to know.",
           "If anything is unclear, write to us in the chat.",
           "Hi, I have a question about my account.", "Thanks for writing in, it is sorted.",
           "Solved by following the help article.", "follow-up"),
}


@dataclass(frozen=True)
class Planted:
    """Where a document or ticket case was planted: each variant's source (as ingest reports
    it), the indexed document carrying the attack, and its title."""

    sources: dict[str, str]
    doc_id: str
    title: str


@dataclass
class Outcome:
    """Where one attack was stopped."""

    case: Case
    quarantined: dict[str, bool] = field(default_factory=dict)  # planted variant -> stopped
    verbatim: bool | None = None  # layer 2: the attack text was indexed as written
    reached_model: bool = False  # layer 2: the poison was in the prompt the model answered
    flagged: set[str] = field(default_factory=set)  # policy codes of dropped payload sentences
    leaks: list[str] = field(default_factory=list)  # "mode: payload" that reached the customer

    @property
    def stopped_at_ingest(self) -> bool:
        """Every planted variant quarantined (never true for a chat message)."""
        return bool(self.quarantined) and all(self.quarantined.values())

    @property
    def blocked_by_policy(self) -> bool:
        """The policy dropped a payload sentence and nothing reached the customer."""
        return not self.leaks and len(self.flagged) > 0


# -- planting ----------------------------------------------------------------------------------
def title(case: Case, n: int) -> str:
    """A help-centre title, unique per case (so the prompt shows whether it was retrieved)."""
    es, en = TOPICS[case.cls]
    return f"{es if case.language == 'es' else en} ({n:02d})"


def article(case: Case, n: int) -> str:
    """The attack inside a markdown help article."""
    intro, outro, *_ = FRAME[case.language]
    head = title(case, n)
    return (f"---\ntitle: {head}\nlanguage: {case.language}\n---\n# {head}\n\n{intro}\n\n"
            f"{case.text}\n\n{outro}\n")


def tickets(case: Case, n: int) -> dict[str, dict[str, Any]]:
    """The attack in a resolved ticket: written by the customer, and by the agent."""
    _, _, question, reply, resolution, later = FRAME[case.language]
    head = title(case, n)

    def row(suffix: str, subject: str, customer: str, solved: str) -> dict[str, Any]:
        return {"id": f"TK-ADV-{n:02d}{suffix}", "status": "solved", "subject": subject,
                "language": case.language, "resolution": solved, "channel": "email",
                "messages": [{"author": "customer", "name": "Nora Vidal", "body": customer},
                             {"author": "agent", "name": "Marta", "body": reply}]}

    return {"customer": row("C", head, case.text, resolution),
            "agent": row("A", f"{head} ({later})", question, case.text)}


def plant(cases: list[Case], folder: Path) -> dict[str, Planted]:
    """Write every document and ticket case under ``folder`` (a folder of the knowledge
    base); where each went, by case id."""
    folder.mkdir(parents=True, exist_ok=True)
    export, rows, where = folder / "helpdesk-export.jsonl", [], {}
    for n, case in enumerate(cases, 1):
        if case.vector == "document":
            path = folder / f"{case.id}.md"
            path.write_text(article(case, n), encoding="utf-8")
            where[case.id] = Planted({"document": path.resolve().as_posix()},
                                     f"{folder.name}/{case.id}", title(case, n))
        elif case.vector == "ticket":
            variants = tickets(case, n)
            rows += variants.values()
            where[case.id] = Planted(
                {v: f"{export.resolve().as_posix()}#{r['id']}" for v, r in variants.items()},
                f"ticket/{variants['agent']['id']}", variants["agent"]["subject"])
    if rows:
        export.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                          encoding="utf-8")
    return where


def help_centre(folder: Path) -> Path:
    """The sample help centre's markdown articles: the benign neighbours of the poison."""
    for path in HELP_CENTRE.rglob("*.md"):
        dest = folder / path.relative_to(HELP_CENTRE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest)
    return folder


# -- the two layers ----------------------------------------------------------------------------
def settings_for(data_dir: Path, screen: bool) -> Settings:
    """Settings for one layer: a fresh data dir, a widget key, limits out of the way."""
    s = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    s.ingest.screen = screen
    s.api.widget_keys = [SecretStr(WIDGET)]
    s.api.demo = False
    limits = s.api.rate_limits
    limits.per_ip = limits.per_key = limits.per_visitor = "100000/minute"
    return s


def quarantined(work: Path, sources: list[Path]) -> set[str]:
    """Layer 1: the sources an ingest with screening on reports as quarantined."""
    knowledge = Knowledge(settings_for(work / "screened", True), embedder=FakeEmbedder())
    try:
        report = knowledge.get().ingestor.run(sources)
    finally:
        knowledge.close()
    return {f.source for f in report.failures if f.code == QUARANTINED}


class PolicySpy:
    """Records the rule of every sentence the app's output policy refuses (not a fake: the
    real policy decides; this only listens)."""

    def __init__(self, policy: OutputPolicy) -> None:
        self.refused: list[tuple[str, str]] = []
        judge = policy.violation

        def violation(sentence: str) -> str | None:
            code = judge(sentence)
            if code is not None:
                self.refused.append((sentence, code))
            return code

        policy.violation = violation  # type: ignore[method-assign]


@dataclass
class ChatApp:
    """Layer 2: the app over the poisoned knowledge, its scripted model and policy spy."""

    client: TestClient
    model: FakeChat
    spy: PolicySpy
    indexed: dict[str, str]  # doc id -> its indexed text

    def verbatim(self, case: Case, doc_id: str) -> bool:
        """Whether ``case``'s text was indexed as written (not redacted or parsed away)."""
        return _flat(case.text) in _flat(self.indexed.get(doc_id, ""))


def _flat(text: str) -> str:
    return " ".join(text.split())


@contextmanager
def chat_app(work: Path, sources: list[Path]) -> Iterator[ChatApp]:
    """Layer 2: the app over the poisoned knowledge (screening off) and a compliant model."""
    settings = settings_for(work / "poisoned", False)
    # The worst case for the output policy: retrieval without its preference for articles,
    # so every planted ticket can reach the prompt (with the shipped penalty a ticket's chunks
    # follow the articles' and one planted ticket never did).
    settings.retrieval.ticket_penalty = 0.0
    knowledge = Knowledge(settings, embedder=FakeEmbedder())
    base = knowledge.get()
    report = base.ingestor.run(sources)
    if not report.ok:
        raise RuntimeError(f"the poisoned knowledge was not all indexed: {report.failures}")
    indexed: dict[str, str] = {}
    for batch in base.catalog.iter_chunks():
        for chunk in batch:
            indexed[chunk.doc_id] = indexed.get(chunk.doc_id, "") + "\n" + chunk.text
    model = FakeChat()
    with TestClient(create_app(settings, knowledge, model)) as client:
        policy = client.app.state.assistant.policy  # type: ignore[attr-defined]
        yield ChatApp(client, model, PolicySpy(policy), indexed)


def events(raw: str) -> list[tuple[str, dict[str, Any]]]:
    """Server-sent events as (event, data) pairs."""
    out = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        out.append((lines.get("event", ""), json.loads(lines.get("data", "{}"))))
    return out


def shown(reply: dict[str, Any]) -> list[str]:
    """What a reply shows the customer: the answer and the citations' quotes."""
    return [str(reply.get("answer") or "")] + [str(c.get("quote") or "")
                                               for c in reply.get("citations") or []]


def ask(client: TestClient, message: str, visitor: str, stream: bool) -> list[str]:
    """Every text the customer sees for ``message``: streamed tokens, answer, quotes."""
    body = {"message": message, "visitor_id": visitor, "stream": stream}
    headers = {"X-API-Key": WIDGET}
    if not stream:
        resp = client.post("/v1/chat", json=body, headers=headers)
        assert resp.status_code == 200, resp.text
        return shown(resp.json())
    with client.stream("POST", "/v1/chat", json=body, headers=headers) as resp:
        assert resp.status_code == 200
        got = events("".join(resp.iter_text()))
    assert [kind for kind, _ in got][-1] == "reply", got
    return [d["text"] for kind, d in got if kind == "token"] + shown(got[-1][1])


def passages_of(prompt: list[dict[str, str]]) -> str:
    """The passages part of the prompt the model got (its numbered "[n] title: text" lines,
    not the question)."""
    return "\n".join(line for line in prompt[-1]["content"].splitlines()
                     if re.match(r"\[\d+\] ", line))


def attack(app: ChatApp, outcome: Outcome, planted: Planted | None) -> None:
    """Ask in both modes; the model answers with the case's output. A chat message is the
    attack itself; for a planted one the customer asks about the article's topic, in the
    attack's own words (so the packer keeps the planted sentence)."""
    case, model = outcome.case, app.model
    model.default, outcome.reached_model = case.output, True
    question = f"{planted.title}: {case.text}" if planted else case.text
    if planted:
        outcome.verbatim = app.verbatim(case, planted.doc_id)
    for mode in MODES:
        app.spy.refused.clear()
        calls = len(model.calls)
        texts = ask(app.client, question, f"v-{case.id}-{mode}", stream=mode == "stream")
        called = len(model.calls) > calls
        # the answer's call; a translation call for the extractive rung may come after it
        seen = " ".join(passages_of(c) for c in model.calls[calls:])
        outcome.reached_model &= called and (planted is None or f"] {planted.title}:" in seen)
        outcome.flagged |= {code for s, code in app.spy.refused if leaked(s, case)}
        outcome.leaks += [f"{mode}: {s}" for text in texts for s in leaked(text, case)]


@dataclass(frozen=True)
class Results:
    """Both layers over the corpus: each case's outcome, and every source quarantined."""

    outcomes: list[Outcome]
    quarantined: set[str]


def run(cases: list[Case], work: Path) -> Results:
    """Both layers over every case; ``work`` is an empty folder."""
    kb = help_centre(work / "kb")
    where = plant(cases, kb / "planted")
    stopped = quarantined(work, [kb])
    outcomes = [Outcome(c, {v: src in stopped for v, src in where[c.id].sources.items()}
                        if c.id in where else {}) for c in cases]
    with chat_app(work, [kb]) as app:
        for outcome in outcomes:
            attack(app, outcome, where.get(outcome.case.id))
    return Results(outcomes, stopped)


# -- the table ---------------------------------------------------------------------------------
def table(outcomes: list[Outcome]) -> str:
    """A markdown table per attack class and vector: cases, quarantined at ingest, blocked by
    the output policy, passed (a chat message is never ingested: "–")."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for o in outcomes:
        row = counts.setdefault((o.case.cls, o.case.vector), Counter())
        row.update(cases=1, ingest=o.stopped_at_ingest, policy=o.blocked_by_policy,
                   passed=bool(o.leaks))
    rows = ["| class | vector | cases | quarantined at ingest | blocked by the output policy "
            "| passed |", "|---|---|---:|---:|---:|---:|"]
    for (cls, vector), c in sorted(counts.items()):
        ingest = "–" if vector == "message" else str(c["ingest"])
        rows.append(f"| {cls} | {vector} | {c['cases']} | {ingest} | {c['policy']} "
                    f"| {c['passed']} |")
    total = sum(counts.values(), Counter())
    rows.append(f"| **all** | | {total['cases']} | {total['ingest']} | {total['policy']} "
                f"| {total['passed']} |")
    return "\n".join(rows)


def misses(outcomes: list[Outcome]) -> list[str]:
    """The planted variants screening let into the index: ``class/id (variant)``."""
    return [f"{o.case.cls}/{o.case.id} ({variant})" for o in outcomes
            for variant, stopped in o.quarantined.items() if not stopped]


if __name__ == "__main__":
    configure_logging(level="ERROR")  # the policy's per-reply warnings would bury the table
    with tempfile.TemporaryDirectory() as tmp:
        results = run(load()[0], Path(tmp)).outcomes
    print(table(results))
    print("\nNot quarantined at ingest:\n" + "\n".join(f"- {m}" for m in misses(results)))
    unseen = [f"{o.case.cls}/{o.case.id}" for o in results if not o.reached_model]
    print("\nNot in the model's prompt (payload redacted at ingest): " + ", ".join(unseen))
