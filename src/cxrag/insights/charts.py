"""The report's charts: matplotlib (Agg) figures as inline SVG, as the eval report draws them.

Text in an SVG (category names, topic labels) is escaped by matplotlib's SVG writer.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from cxrag.insights.models import InsightsReport

TOP = 8  # series drawn one by one; the rest are summed as "other"
Chart = tuple[str, str]  # (title, svg)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    _pyplot().close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]


def _top(series: dict[str, list[int]]) -> dict[str, list[int]]:
    names = list(series)
    if len(names) <= TOP:
        return series
    kept = {n: series[n] for n in names[:TOP - 1]}
    kept["other"] = [int(v) for v in np.sum([series[n] for n in names[TOP - 1:]], axis=0)]
    return kept


def _xticks(ax: Any, buckets: list[str], most: int = 16) -> None:
    step = max(1, -(-len(buckets) // most))
    ax.set_xticks(range(0, len(buckets), step), buckets[::step], rotation=45, ha="right",
                  fontsize=8)


def stacked(buckets: list[str], series: dict[str, list[int]], ylabel: str) -> str:
    """Stacked bars per bucket, one colour per series."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.4))
    bottom = np.zeros(len(buckets))
    for name, values in _top(series).items():
        ax.bar(range(len(buckets)), values, bottom=bottom, label=name)
        bottom += np.asarray(values, dtype=float)
    _xticks(ax, buckets)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _svg(fig)


def rates(report: InsightsReport) -> str | None:
    """Containment and escalation rate per bucket (buckets with conversations)."""
    points = [p for p in report.containment.by_bucket if p.conversations]
    if not points:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3))
    x = range(len(points))
    ax.plot(x, [p.containment_rate for p in points], marker="o", label="containment")
    ax.plot(x, [p.escalation_rate for p in points], marker="s", label="escalation")
    _xticks(ax, [p.bucket for p in points])
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("share of conversations")
    ax.legend(fontsize=8)
    return _svg(fig)


def csat(report: InsightsReport) -> str | None:
    """The CSAT distribution and its mean per bucket."""
    c = report.csat
    if not c.rated:
        return None
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3), width_ratios=[1, 2])
    left.bar([int(k) for k in c.distribution], list(c.distribution.values()), color="#4c72b0")
    left.set_xlabel("rating")
    left.set_ylabel("tickets")
    means = [np.nan if v is None else v for v in c.by_bucket]
    right.plot(range(len(means)), means, marker="o", color="#dd8452")
    _xticks(right, report.volume.buckets, most=8)
    right.set_ylim(1, 5.1)
    right.set_ylabel("mean CSAT")
    return _svg(fig)


def topics(report: InsightsReport) -> str | None:
    """Questions per topic, split by how they ended."""
    clusters = report.gaps.clusters
    if not clusters:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(clusters) + 1))
    y = np.arange(len(clusters))[::-1]
    left = np.zeros(len(clusters))
    for field, colour in (("tickets", "#8c8c8c"), ("ungrounded", "#dd8452"),
                          ("handed_off", "#c44e52")):
        values = np.array([getattr(c, field) for c in clusters], dtype=float)
        ax.barh(y, values, left=left, color=colour, label=field.replace("_", " "))
        left += values
    ax.set_yticks(y, [f"{c.id}. {c.label}"[:48] for c in clusters], fontsize=8)
    ax.set_xlabel("questions")
    ax.legend(fontsize=8)
    return _svg(fig)


def charts(report: InsightsReport) -> list[Chart]:
    """Every chart the report has data for, in reading order."""
    v = report.volume
    out: list[Chart] = []
    if v.total:
        out += [("Volume by category", stacked(v.buckets, v.by_category, "contacts")),
                ("Volume by channel", stacked(v.buckets, v.by_channel, "contacts")),
                ("Volume by language", stacked(v.buckets, v.by_language, "contacts"))]
    for title, svg in (("Containment and escalation of conversations", rates(report)),
                       ("Ticket CSAT: distribution and mean over time", csat(report)),
                       ("Knowledge gaps: questions per topic", topics(report))):
        if svg is not None:
            out.append((title, svg))
    return out
