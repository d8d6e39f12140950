"""The insights report as one self-contained HTML page (inline SVG charts, no scripts).

Every text from tickets, conversations and customers is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from cxrag.insights.charts import charts
from cxrag.insights.models import InsightsReport

_TEMPLATE = Path(__file__).with_name("report.html.j2")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def render(report: InsightsReport) -> str:
    """The report's HTML."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    v = report.volume
    totals = {name: {k: sum(vals) for k, vals in series.items()} for name, series in
              (("category", v.by_category), ("channel", v.by_channel),
               ("language", v.by_language))}
    emerging = [c for i in report.gaps.emerging for c in report.gaps.clusters if c.id == i]
    return env.from_string(_TEMPLATE.read_text(encoding="utf-8")).render(
        r=report, charts=charts(report), totals=totals, emerging=emerging,
        sources={k: sum(vals) for k, vals in v.by_source.items()})


def write_report(report: InsightsReport, out_dir: Path) -> Path:
    """Write ``out_dir/index.html`` (creating the folder); its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(render(report), encoding="utf-8")
    return path
