"""The grounding guard measured as a classifier of "supported", and its threshold calibrated.

``evals/guard/labelled.yaml`` holds single reply sentences, each with the 1-3 passages sent
and a hand label: is the sentence fully backed by them? Kinds: ``paraphrase``, ``translation``,
``extract`` (nearly verbatim) are supported; ``partial`` (half backed), ``near_miss_figure``,
``near_miss_date``, ``near_miss_name``, ``near_miss_product``, ``near_miss_step`` (one fact
differs from the passage), ``near_miss_polarity`` (it says the opposite), ``unrelated`` and
``generic`` (true in general, in no passage) are not. Each sentence goes through the real
``GroundingChecker.check`` with the real embedder, in the reply language, for every
``min_support`` of a sweep, with and without the near-miss rules (``cxrag.guard.facts``).
Reported: precision, recall and F0.5 of "supported" overall, per
language, same- vs cross-language and per kind (for kinds that are never supported, the share
rejected).

The threshold is the one with the most recall at precision >= 0.95 (the best F0.5 when none
gets there): chosen on the items with an even index, checked on the odd ones, then reported
on all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from cxrag.compose.context import Passage
from cxrag.embed.base import Embedder, Vectors
from cxrag.guard.grounding import GroundingChecker
from cxrag.language import detect_language
from cxrag.text import split_sentences, states_fact

LABELLED = Path(__file__).resolve().parents[3] / "evals" / "guard" / "labelled.yaml"
LANGUAGES = ("es", "en")
SUPPORTED_KINDS = ("paraphrase", "translation", "extract")
NEAR_MISS_KINDS = ("near_miss_figure", "near_miss_date", "near_miss_name", "near_miss_product",
                   "near_miss_step", "near_miss_polarity")
KINDS = (*SUPPORTED_KINDS, "partial", *NEAR_MISS_KINDS, "unrelated", "generic")
THRESHOLDS = tuple(round(0.25 + 0.025 * i, 3) for i in range(19))  # 0.25 .. 0.70
MIN_PRECISION = 0.95


@dataclass(frozen=True)
class Item:
    """One labelled sentence and the passages it was checked against."""

    id: str
    sentence: str
    language: str
    passages: tuple[Passage, ...]
    supported: bool
    kind: str

    @property
    def cross(self) -> bool:
        """Whether the sentence is in another language than (one of) its passages."""
        return any(p.language != self.language for p in self.passages)


def load(path: Path = LABELLED) -> list[Item]:
    """The labelled set, validated: ids unique, one factual sentence each (as ``check`` would
    split and count it), a known kind and language, 1-3 passages with title and text, and
    labels that agree with the kind. A passage's language is detected from its text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: list[Item] = []
    seen: set[str] = set()
    for raw in data["items"]:
        where = f"{path.name}: item {raw.get('id')!r}"
        if raw["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(raw["id"])
        sentence = str(raw["sentence"]).strip()
        if len(split_sentences(sentence)) != 1 or not states_fact(sentence):
            raise ValueError(f"{where}: not one factual sentence")
        if raw["language"] not in LANGUAGES or raw["kind"] not in KINDS:
            raise ValueError(f"{where}: unknown language or kind")
        if not isinstance(raw["supported"], bool) or raw["supported"] != (
                raw["kind"] in SUPPORTED_KINDS):
            raise ValueError(f"{where}: label does not match its kind")
        if not 1 <= len(raw["passages"]) <= 3:
            raise ValueError(f"{where}: 1-3 passages")
        passages = tuple(
            Passage(k, f"{raw['id']}/{k}", f"{raw['id']}/{k}#0", str(p["title"]), "",
                    str(p["text"]).strip(),
                    detect_language(f"{p['title']}. {p['text']}", LANGUAGES), 1.0, 0)
            for k, p in enumerate(raw["passages"], start=1))
        items.append(Item(raw["id"], sentence, raw["language"], passages, raw["supported"],
                          raw["kind"]))
    return items


class OneByOne:
    """An embedder that embeds each text alone, once: no batch padding, so a sentence gets
    the same vector whatever it is checked with, and a sweep embeds nothing twice."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder, self.dimension = embedder, embedder.dimension
        self.model_id = getattr(embedder, "model_id", "unknown")
        self._cache: dict[str, Vectors] = {}

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        for text in texts:
            if text not in self._cache:
                self._cache[text] = self.embedder.embed_documents([text])[0]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts])

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed_documents([text])[0]
        return vector


@dataclass(frozen=True)
class Verdict:
    """The guard's verdict on one item: supported or not, and why not."""

    supported: bool
    reason: str | None


def judge(checker: GroundingChecker, item: Item) -> Verdict:
    """Check ``item``'s sentence as the reply path does (in its language)."""
    g = checker.check(item.sentence, item.passages, language=item.language,
                      languages=LANGUAGES)
    why = g.reasons[0] if g.reasons else g.reason
    return Verdict(g.grounded and not g.unsupported, None if g.grounded else why)


def judge_all(items: Sequence[Item], embedder: Embedder, min_support: float,
              near_misses: bool = True) -> list[Verdict]:
    """Every item's verdict at ``min_support``, with or without the near-miss rules."""
    checker = GroundingChecker(embedder, min_support, near_misses=near_misses)
    return [judge(checker, item) for item in items]


def metrics(items: Iterable[Item], verdicts: Iterable[Verdict]) -> dict[str, Any]:
    """Precision, recall and F0.5 of "supported", and the share of unsupported items
    rejected; None where undefined (nothing predicted or nothing to find)."""
    pairs = list(zip(items, verdicts, strict=True))
    tp = sum(i.supported and v.supported for i, v in pairs)
    fp = sum(not i.supported and v.supported for i, v in pairs)
    fn = sum(i.supported and not v.supported for i, v in pairs)
    tn = sum(not i.supported and not v.supported for i, v in pairs)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f05 = None
    if precision is not None and recall is not None and (precision or recall):
        f05 = 1.25 * precision * recall / (0.25 * precision + recall)
    return {"n": len(pairs), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": _round(precision), "recall": _round(recall), "f05": _round(f05),
            "rejected": _round(tn / (tn + fp) if tn + fp else None)}


def slices(items: Sequence[Item], verdicts: Sequence[Verdict]) -> dict[str, dict[str, Any]]:
    """``metrics`` overall, per language, same- and cross-language, and per kind."""
    groups: dict[str, list[int]] = {"all": list(range(len(items)))}
    for i, item in enumerate(items):
        for key in (item.language, "cross" if item.cross else "same", f"kind:{item.kind}"):
            groups.setdefault(key, []).append(i)
    order = ["all", *LANGUAGES, "same", "cross", *(f"kind:{k}" for k in KINDS)]
    return {key: metrics([items[i] for i in groups[key]], [verdicts[i] for i in groups[key]])
            for key in order if key in groups}


def choose(items: Sequence[Item], sweep: dict[float, list[Verdict]],
           indexes: Sequence[int]) -> float:
    """The threshold with the most recall at precision >= ``MIN_PRECISION`` on the items at
    ``indexes`` (ties: the higher precision, then the lower threshold); the best F0.5 when
    no threshold reaches that precision."""
    subset = [items[i] for i in indexes]
    scored = {t: metrics(subset, [verdicts[i] for i in indexes]) for t, verdicts in sweep.items()}
    good = [t for t, m in scored.items() if (m["precision"] or 0) >= MIN_PRECISION]
    if good:
        return max(good, key=lambda t: (scored[t]["recall"] or 0, scored[t]["precision"], -t))
    return max(scored, key=lambda t: (scored[t]["f05"] or 0, -t))


def calibrate(items: Sequence[Item], embedder: Embedder, current: float = 0.4,
              thresholds: Sequence[float] = THRESHOLDS) -> dict[str, Any]:
    """The sweep, the chosen thresholds (with and without the near-miss rules) and the
    slices at the current and the chosen threshold; ``errors`` lists the items the guard
    gets wrong at the chosen threshold with the rules on."""
    embedder = OneByOne(embedder)
    even = [i for i in range(len(items)) if i % 2 == 0]
    odd = [i for i in range(len(items)) if i % 2 == 1]
    report: dict[str, Any] = {"items": len(items), "min_precision": MIN_PRECISION,
                              "current": current, "thresholds": list(thresholds)}
    for rules in (True, False):
        sweep = {t: judge_all(items, embedder, t, rules) for t in thresholds}
        if current not in sweep:
            sweep[current] = judge_all(items, embedder, current, rules)
        chosen = choose(items, sweep, even)
        key = "rules" if rules else "no_rules"
        report[key] = {
            "chosen": chosen,
            "chosen_on_even": metrics([items[i] for i in even], [sweep[chosen][i] for i in even]),
            "checked_on_odd": metrics([items[i] for i in odd], [sweep[chosen][i] for i in odd]),
            "at_chosen": slices(items, sweep[chosen]),
            "at_current": slices(items, sweep[current]),
            "sweep": {str(t): metrics(items, sweep[t]) for t in thresholds},
        }
        if rules:
            report["errors"] = [
                {"id": item.id, "kind": item.kind, "language": item.language,
                 "cross": item.cross, "label": item.supported, "reason": v.reason,
                 "sentence": item.sentence}
                for item, v in zip(items, sweep[chosen], strict=True)
                if v.supported != item.supported]
    return report


def table(report: dict[str, Any]) -> str:
    """The report as Markdown: per slice, precision / recall (or share rejected) without
    and with the near-miss rules, at the current and the chosen thresholds."""
    current = report["current"]
    cols = [("no_rules", "at_current", f"no rules @{current}"),
            ("no_rules", "at_chosen", f"no rules @{report['no_rules']['chosen']}"),
            ("rules", "at_current", f"rules @{current}"),
            ("rules", "at_chosen", f"rules @{report['rules']['chosen']}")]
    lines = ["| slice | n | " + " | ".join(c[2] for c in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for key, m in report["rules"]["at_chosen"].items():
        cells = []
        for rules, at, _ in cols:
            s = report[rules][at][key]
            if s["tp"] + s["fn"]:  # something to find: precision / recall
                cells.append(f"P {_fmt(s['precision'])} / R {_fmt(s['recall'])}")
            else:  # nothing supported in this slice: the share rejected
                cells.append(f"rejected {_fmt(s['rejected'])}")
        lines.append(f"| {key} | {m['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
