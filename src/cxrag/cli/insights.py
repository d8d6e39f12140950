"""``cxrag insights``: the insights report from the history store, as a table, JSON or HTML.

Needs no language model: it reads the history store and, for knowledge gaps, embeds questions
with the configured embedding model.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxrag.cli.common import console, fail, load_settings, out
from cxrag.errors import CxragError

if TYPE_CHECKING:
    from cxrag.insights.models import InsightsReport
    from cxrag.settings import Settings

IMPORT_HINT = ("no tickets for tenant {tenant!r} in the history store yet: load your helpdesk "
               "exports with `cxrag insights --import knowledge/tickets` (and customer tiers "
               "with `cxrag import-customers knowledge/customers/customers.json`)")


def insights_command(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Tenant name.")] = None,
    since: Annotated[str | None, typer.Option(
        help="First day (YYYY-MM-DD or ISO time); default: the first activity.")] = None,
    until: Annotated[str | None, typer.Option(
        help="Last day, included; default: the latest activity.")] = None,
    bucket: Annotated[str, typer.Option(help="Count per day, week or month.")] = "week",
    html: Annotated[Path | None, typer.Option(
        "--html", help="Write the report with charts to OUT_DIR/index.html.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    imports: Annotated[list[Path] | None, typer.Option(
        "--import", help="Ticket exports (.jsonl/.csv) or folders of them to load into the "
        "history store first (an upsert: safe to repeat).")] = None,
    clusters: Annotated[bool, typer.Option(
        "--clusters/--no-clusters", help="Group knowledge gaps with the embedding model.")]
    = True,
) -> None:
    """Insights from the history store: volume, containment, escalations, feedback and CSAT,
    knowledge gaps and emerging topics, churn risk."""
    settings = load_settings()
    try:
        report = _build(settings, tenant or settings.tenant, since, until, bucket, imports or [],
                        clusters)
        if html is not None:
            from cxrag.insights.report import write_report

            out.print(str(write_report(report, html)))
    except CxragError as exc:
        fail(exc)
    if as_json:
        out.print_json(report.model_dump_json())
    elif html is None:
        print_summary(report)


def _build(settings: Settings, tenant: str, since: str | None, until: str | None, bucket: str,
           imports: list[Path], clusters: bool) -> InsightsReport:
    from cxrag.embed import build_embedder
    from cxrag.insights.analyzer import default_analyzer
    from cxrag.insights.service import insights
    from cxrag.store import HistoryStore, migrate
    from cxrag.store.analytics import count_tickets
    from cxrag.store.tickets import import_ticket_exports

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database)
    store = HistoryStore.from_url(settings.database)
    try:
        if imports:
            console.print(f"imported {import_ticket_exports(store, tenant, imports)} tickets")
        if not count_tickets(store.engine, tenant):
            console.print(f"[yellow]note[/yellow]: {IMPORT_HINT.format(tenant=tenant)}")
        embedder = build_embedder(settings.embedding)
        with console.status("computing insights..."):
            return insights(store, tenant, since=since, until=until, bucket=bucket,
                            embedder=embedder if clusters else None,
                            analyzer=default_analyzer(settings, embedder),
                            languages=settings.retrieval.languages)
    finally:
        store.close()


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def print_summary(report: InsightsReport) -> None:
    """The headline figures, the top topics and the riskiest customers, as tables."""
    w, c = report.window, report.containment
    table = Table(title=escape(f"insights: {w.tenant}, {w.since:%Y-%m-%d} to {w.until:%Y-%m-%d}"),
                  show_header=False)
    table.add_row("contacts", ", ".join(f"{sum(v)} {k}s"
                                        for k, v in report.volume.by_source.items()) or "0")
    table.add_row("containment", f"{_pct(c.containment_rate)} of {c.conversations} "
                  "conversations")
    table.add_row("escalation", f"{_pct(c.escalation_rate)}: " + ", ".join(
        f"{escape(e.reason)} {e.count}" for e in report.escalation_reasons))
    table.add_row("ticket CSAT", f"{_pct(report.csat.score)} (mean "
                  f"{report.csat.mean or 0:.2f}, {report.csat.rated} rated)")
    table.add_row("reply feedback", f"{_pct(report.feedback.reply_satisfaction)} of "
                  f"{report.feedback.replies_rated} rated replies")
    out.print(table)
    topics = Table(title="knowledge gaps (topics that needed a person)")
    for col in ("#", "topic", "questions", "unanswered", "recent (before)"):
        topics.add_column(col)
    for t in report.gaps.clusters[:10]:
        topics.add_row(str(t.id), escape(t.label) + (" [yellow]emerging[/yellow]" if t.emerging
                                             else ""), str(t.size), _pct(t.share_unanswered),
                       f"{t.recent} ({t.previous})")
    out.print(topics)
    risk = Table(title="churn risk")
    for col in ("customer", "tier", "score", "reasons"):
        risk.add_column(col)
    for r in report.churn[:10]:
        risk.add_row(escape(f"{r.customer_id} {r.name or ''}".strip()), escape(r.tier or ""),
                     f"{r.score:.2f}", escape("; ".join(r.reasons)))
    out.print(risk)
