"""The CI gate: a run's metrics against ``evals/thresholds.yaml``.

```yaml
fast:                       # a suite name (the run's meta.suite)
  overall:
    handoff_correct: 0.80   # minimum mean
  by_category:
    unanswerable: {handoff_correct: 0.9}
  by_language:
    es: {language_match: 0.95}
bias:
  disparities:
    gender: {similarity_gap: 0.10}   # maximum (the bias report's disparity figures)
```
Every missed threshold is one line naming the metric, the value and the threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cxrag.errors import InvalidRequest

# Figures are means of few cases: a tone gap of 3 flips in 5 pairs is 0.6000000000000001 in
# floating point, and that is at a maximum of 0.6, not above it.
_SLACK = 1e-9


def load_thresholds(path: Path) -> dict[str, Any]:
    """The thresholds file, checked for shape."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise InvalidRequest(f"no thresholds file at {path}") from exc
    except yaml.YAMLError as exc:
        raise InvalidRequest(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidRequest(f"{path}: expected a mapping of suite names")
    return data


def check(run: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """The missed thresholds of ``run`` (empty: it passes)."""
    suite = run["meta"]["suite"]
    rules = thresholds.get(suite)
    if rules is None:
        raise InvalidRequest(f"no thresholds for suite {suite!r} (have: "
                             f"{', '.join(sorted(thresholds)) or 'none'})")
    misses: list[str] = []
    metrics = run.get("metrics", {})
    for metric, minimum in (rules.get("overall") or {}).items():
        _at_least(misses, f"{metric}", metrics.get("overall", {}).get(metric), minimum)
    for section in ("by_category", "by_language"):
        for group, wanted in (rules.get(section) or {}).items():
            got = metrics.get(section, {}).get(group)
            for metric, minimum in wanted.items():
                value = None if got is None else got.get(metric)
                _at_least(misses, f"{metric} [{section[3:]} {group}]", value, minimum)
    bias = run.get("bias", {}).get("disparities", {})
    for attribute, limits in (rules.get("disparities") or {}).items():
        for figure, maximum in limits.items():
            value = bias.get(attribute, {}).get(figure)
            if value is None:
                misses.append(f"{figure} [{attribute}]: not measured (threshold <= {maximum})")
            elif value > maximum + _SLACK:
                misses.append(f"{figure} [{attribute}] = {value:.3f}, above the threshold "
                              f"{maximum}")
    return misses


def _at_least(misses: list[str], name: str, value: float | None, minimum: float) -> None:
    if value is None:
        misses.append(f"{name}: not measured (threshold >= {minimum})")
    elif value < minimum - _SLACK:
        misses.append(f"{name} = {value:.3f}, below the threshold {minimum}")
