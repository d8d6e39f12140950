"""The adversarial corpus run through the guard, and its table for docs/security.md.

``python -m tests.guard.adversarial_table`` prints, per attack class and vector, how many cases
there are, how many the guard blocked and how many passed (a payload reached the answer).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cxrag.compose.context import Passage
from cxrag.compose.prompts import PromptLibrary
from cxrag.guard.grounding import Grounding, GroundingChecker
from cxrag.guard.safety import OutputPolicy
from tests.conftest import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("adversarial.yaml")
ALLOWED = ["tiendalia.es"]
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")


@dataclass(frozen=True)
class Case:
    """One planted attack and what a fully compliant model writes."""

    id: str
    cls: str
    vector: str
    language: str
    text: str
    output: str
    must_not_contain: tuple[str, ...]
    code: str


def load() -> tuple[list[Case], list[str]]:
    """The attack cases and the benign sentences of the corpus."""
    data: dict[str, Any] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    cases = [Case(c["id"], c["class"], c["vector"], c["language"], c["text"], c["output"],
                  tuple(c["must_not_contain"]), c["code"]) for c in data["cases"]]
    return cases, list(data["benign"])


def secrets() -> list[str]:
    """The system prompts of every template of every version, as the app loads them."""
    return PromptLibrary(ROOT / "prompts").system_prompts()


def checker(with_policy: bool = True) -> GroundingChecker:
    """The guard as the reply path builds it (fake embedder), with or without the policy."""
    policy = OutputPolicy(allowed_domains=ALLOWED, secrets=secrets()) if with_policy else None
    return GroundingChecker(FakeEmbedder(), min_support=0.5, policy=policy)


def run(guard: GroundingChecker, case: Case) -> Grounding:
    """The verdict on the compliant output, with the planted text as the retrieved passage."""
    planted = Passage(1, case.id, f"{case.id}#v-0", "Planted", f"kb/{case.id}.md", case.text,
                      case.language, 1.0, 20)
    return guard.check(case.output, [planted])


def leaked(answer: str, case: Case) -> list[str]:
    """The payload strings that reached ``answer`` (case-insensitive, invisibles removed)."""
    shown = _INVISIBLE.sub("", answer).lower()
    return [s for s in case.must_not_contain if _INVISIBLE.sub("", s).lower() in shown]


def table(cases: list[Case], guard: GroundingChecker) -> str:
    """A markdown table per attack class and vector: cases, blocked, passed."""
    total: Counter[tuple[str, str]] = Counter()
    passed: Counter[tuple[str, str]] = Counter()
    for case in cases:
        total[(case.cls, case.vector)] += 1
        passed[(case.cls, case.vector)] += bool(leaked(run(guard, case).answer, case))
    rows = ["| class | vector | cases | blocked | passed |", "|---|---|---:|---:|---:|"]
    rows += [f"| {c} | {v} | {n} | {n - passed[(c, v)]} | {passed[(c, v)]} |"
             for (c, v), n in sorted(total.items())]
    all_passed = sum(passed.values())
    rows.append(f"| **all** | | {len(cases)} | {len(cases) - all_passed} | {all_passed} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(load()[0], checker()))
