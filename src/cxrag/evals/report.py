"""The HTML report of a run: charts (inline SVG from matplotlib), where answers die (the
failure funnel) and the worst cases.

Self-contained (no scripts, no external assets), so it opens offline and attaches to a CI run.
Every text from cases, documents and answers is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from cxrag.evals.bias import FIGURES
from cxrag.evals.metrics import METRICS

WORST = 12
FUNNEL_WORST = 5  # cases linked per funnel stage

_TEMPLATE = Path(__file__).with_name("report.html.j2")


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]


def _charts(run: dict[str, Any]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts: list[tuple[str, str]] = []
    cases = run["cases"]
    names = [m for m in METRICS if any(c["scores"].get(m) is not None for c in cases)]
    if not names:
        return charts
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(names) + 1))
    data = [[c["scores"][m] for c in cases if c["scores"].get(m) is not None] for m in names]
    ax.boxplot(data, orientation="horizontal", tick_labels=names, showmeans=True)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel("per-case score (box: quartiles, triangle: mean)")
    charts.append(("Distribution of each metric over the cases", _svg(fig)))
    for section in ("by_category", "by_language"):
        groups = run["metrics"].get(section, {})
        if len(groups) < 2:
            continue
        grid = np.array([[groups[g].get(m, np.nan) for m in names] for g in groups])
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(groups) + 1.6))
        ax.imshow(grid, vmin=0, vmax=1, cmap="RdYlGn", aspect="auto")
        ax.set_xticks(range(len(names)), names, rotation=40, ha="right")
        ax.set_yticks(range(len(groups)), list(groups))
        for (i, j), v in np.ndenumerate(grid):
            if not np.isnan(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
        charts.append((f"Mean of each metric {section.replace('_', ' ')}", _svg(fig)))
    bias = run.get("bias", {}).get("disparities", {})
    if bias:
        fig, ax = plt.subplots(figsize=(9, 3))
        width = 0.8 / len(bias)
        for k, (attribute, row) in enumerate(bias.items()):
            ax.bar(np.arange(len(FIGURES)) + k * width, [row[f] for f in FIGURES], width,
                   label=attribute)
        ax.set_xticks(np.arange(len(FIGURES)) + 0.4 - width / 2, FIGURES)
        ax.legend()
        ax.set_ylabel("disparity (0 = none)")
        charts.append(("Bias: disparity figures per attribute", _svg(fig)))
    return charts


def badness(case: dict[str, Any]) -> float:
    """How bad a case went (for ordering the worst): the mean of its key scores, lowest
    first; a wrong handoff decision counts twice."""
    s = case["scores"]
    keys = [v for v in (s.get("facts"), s.get("semantic_similarity"), s.get("context_recall"),
                        s.get("language_match"), s.get("handoff_correct"),
                        s.get("handoff_correct")) if v is not None]
    return float(np.mean(keys)) if keys else 1.0


def _funnel_chart(overall: dict[str, int]) -> str:
    """A horizontal bar per stage, in pipeline order from the top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 0.35 * len(overall) + 1))
    ax.barh(list(overall), list(overall.values()), color="#b3261e")
    ax.invert_yaxis()
    ax.set_xlabel("answerable cases lost at this stage")
    return _svg(fig)


def _funnel(run: dict[str, Any]) -> dict[str, Any] | None:
    """The "Where answers die" section: chart, stage x group tables, worst cases per stage."""
    found = run.get("funnel")
    if not found:
        return None
    rank = {c["id"]: badness(c) for c in run["cases"]}
    tables = [(section, list(found[f"by_{section}"].items()))
              for section in ("category", "language")]
    worst = {s: sorted(ids, key=lambda i: rank.get(i, 1.0))[:FUNNEL_WORST]
             for s, ids in found["cases"].items()}
    return {"answerable": found["answerable"], "lost": found["lost"], "stages": found["overall"],
            "chart": _funnel_chart(found["overall"]) if found["overall"] else None,
            "tables": tables, "worst": worst}


def anchor(case_id: str) -> str:
    """The HTML id of a case in the report's case list."""
    return "case-" + re.sub(r"[^\w.:/=-]", "_", case_id)


def _listed(run: dict[str, Any], funnel: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The worst cases, and every case the funnel links to, worst first."""
    linked = {i for ids in (funnel or {}).get("worst", {}).values() for i in ids}
    ordered = sorted(run["cases"], key=badness)
    return [c for k, c in enumerate(ordered) if k < WORST or c["id"] in linked]


def render(run: dict[str, Any], gate: list[str] | None = None) -> str:
    """The report's HTML."""
    overall = [(m, v) for m, v in run["metrics"]["overall"].items()
               if m in METRICS]
    breakdowns = []
    for section in ("category", "language"):
        groups = run["metrics"].get(f"by_{section}", {})
        metrics = [m for m in METRICS if any(m in g for g in groups.values())]
        breakdowns.append((section, {"metrics": metrics, "rows": list(groups.items())}))
    funnel = _funnel(run)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined)
    env.filters["anchor"] = anchor
    return env.from_string(_TEMPLATE.read_text(encoding="utf-8")).render(
        meta=run["meta"], overall=overall, descriptions=METRICS, charts=_charts(run),
        breakdowns=breakdowns, worst=_listed(run, funnel), funnel=funnel,
        bias=run.get("bias"), bias_figures=FIGURES, gate=gate)


def write_report(run: dict[str, Any], path: Path, gate: list[str] | None = None) -> Path:
    """Write the report of ``run`` to ``path``."""
    path.write_text(render(run, gate), encoding="utf-8")
    return path
