"""The hand-labelled guard set (evals/guard/labelled.yaml) and what the guard scores on it with
the shipped thresholds and the real embedder (benchmarks/guard_calibration.py prints the full
table). The bounds are the numbers measured when the thresholds were calibrated, less a small
margin, so a change that lets more wrong sentences through fails here.

Precision does not reach 0.95 at any threshold: what still passes are half-supported
sentences ("partial": none rejected) and true-but-unsourced ones ("generic"), which read like
the passage and state no fact it lacks, and a few near misses whose wrong fact is stated
elsewhere in the same passage (listed in ``KNOWN_MISSES``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxrag.embed.base import Embedder
from cxrag.evals.guard_calibration import (
    KINDS,
    NEAR_MISS_KINDS,
    OneByOne,
    Verdict,
    calibrate,
    judge,
    load,
    slices,
)
from cxrag.guard.facts import labelled_values, misplaced, passage_facts, table, unbound, unstated
from cxrag.guard.grounding import (
    MIN_SUPPORT,
    MIN_SUPPORTED_SHARE,
    GroundingChecker,
    _passage_sentences,
)
from cxrag.settings import GuardSettings

pytestmark = pytest.mark.slow  # the real embedding model

ARTICLES = Path(__file__).resolve().parents[2] / "knowledge" / "articles"
ITEMS = load()

# Near misses the rules cannot see: the wrong fact is in the passage, only attached to
# something else ("Cloud Basic keeps 30 days" when 30 days is Cloud Plus's row), or the step
# differs in a verb or across languages.
KNOWN_MISSES = {
    "kb-track-03": "three attempts: the passage says two, and 3 elsewhere (2–3 days)",
    "kb-tarj-04": "Mexico with Spain's 2 years, both in the passage",
    "kb-reftime-04": "Bizum in Mexico: Mexico is in the passage (another row)",
    "kb-cloud-02": "Cloud Basic with Cloud Plus's row",
    "ext-bag-02": "Economy Light with Economy Classic's allowance",
    "ext-agen-02": "plan Básico with plan Negocio's price",
    "ext-camb-07": "an English menu path for a Spanish passage: labels are not compared",
    "ext-bb-08": "unplug instead of hold the power button: no name, figure or label",
}


@pytest.fixture(scope="module")
def embedder() -> Iterator[Embedder]:
    from cxrag.embed.factory import build_embedder
    from cxrag.settings import EmbeddingSettings

    yield OneByOne(build_embedder(EmbeddingSettings()))


@pytest.fixture(scope="module")
def verdicts(embedder: Embedder) -> list[Verdict]:
    checker = GroundingChecker(embedder)  # the shipped defaults
    return [judge(checker, item) for item in ITEMS]


def test_the_labelled_set_loads_and_covers_what_it_must() -> None:
    assert len(ITEMS) >= 170
    languages = Counter(item.language for item in ITEMS)
    assert set(languages) == {"es", "en"} and min(languages.values()) >= 0.4 * len(ITEMS)
    assert sum(item.cross for item in ITEMS) >= 40
    assert {item.kind for item in ITEMS} == set(KINDS)
    assert all(item.supported == (item.kind in ("paraphrase", "translation", "extract"))
               for item in ITEMS)  # load() checks this too
    # at least 60 items quote the project's own help centre; the rest are other companies'
    ours = [item for item in ITEMS if item.id.startswith("kb-")]
    assert len(ours) >= 60 and len(ITEMS) - len(ours) >= 60
    articles = " ".join(p.read_text(encoding="utf-8") for p in ARTICLES.rglob("*")
                        if p.suffix in {".md", ".html", ".txt"})
    assert all(p.title in articles for item in ours for p in item.passages)


def test_the_shipped_thresholds_are_the_calibrated_ones() -> None:
    settings = GuardSettings()
    assert (settings.min_support, settings.min_supported_share) == (MIN_SUPPORT,
                                                                    MIN_SUPPORTED_SHARE)


def test_calibrating_again_stays_within_a_step_of_the_shipped_threshold(
        embedder: Embedder) -> None:
    """Since the polarity items (2026-12-05) the even half prefers 0.425 by F0.5 (all items
    0.877 against 0.874 at 0.375); replayed on the reply sets, 0.425 lost two right golden
    answers and two public ones and caught no wrong one (docs/benchmarks.md), so 0.375
    stays: the calibration must keep agreeing with it to within one step and 0.01 of
    F0.5."""
    report = calibrate(ITEMS, embedder)
    chosen = report["rules"]["chosen"]
    assert abs(chosen - MIN_SUPPORT) <= 0.05 + 1e-9
    sweep = report["rules"]["sweep"]
    assert sweep[str(MIN_SUPPORT)]["f05"] >= sweep[str(chosen)]["f05"] - 0.01
    # the rules, not the threshold, are what buys precision
    with_rules = report["rules"]["at_current"]["all"]
    without = report["no_rules"]["at_current"]["all"]
    assert with_rules["precision"] >= without["precision"] + 0.2
    assert with_rules["recall"] >= without["recall"]


def test_with_the_shipped_defaults(verdicts: list[Verdict]) -> None:
    s = slices(ITEMS, verdicts)
    # measured (2026-12-05, 314 items with the polarity ones): all P 0.824 R 0.977; es P 0.847
    # R 0.984; en P 0.803 R 0.970; cross P 0.905 R 0.985; same R 0.967 (the two polarity
    # items lost are paraphrases written to be hard: "can't reuse" for "only once")
    assert s["all"]["precision"] >= 0.81 and s["all"]["recall"] >= 0.96
    assert s["es"]["precision"] >= 0.83 and s["es"]["recall"] >= 0.97
    assert s["en"]["precision"] >= 0.79 and s["en"]["recall"] >= 0.96
    assert s["cross"]["precision"] >= 0.89 and s["cross"]["recall"] >= 0.96
    assert s["same"]["recall"] >= 0.95
    # measured share rejected: figure 0.968, date 1.0, name 1.0, product 0.824, step 0.882,
    # unrelated 1.0, generic 0.769, partial 0.0
    assert s["kind:near_miss_date"]["rejected"] == 1.0
    assert s["kind:near_miss_name"]["rejected"] == 1.0
    assert s["kind:near_miss_figure"]["rejected"] >= 0.95
    assert s["kind:near_miss_product"]["rejected"] >= 0.8
    assert s["kind:near_miss_step"]["rejected"] >= 0.85
    assert s["kind:unrelated"]["rejected"] == 1.0
    assert s["kind:generic"]["rejected"] >= 0.75
    # measured 0.55 (0.0 without the polarity rule): the flips it cannot see carry no
    # negation word ("only once" / "several times") or one on both sides
    assert s["kind:near_miss_polarity"]["rejected"] >= 0.5


def test_every_near_miss_the_rules_can_see_is_rejected(verdicts: list[Verdict]) -> None:
    """Whatever the similarity: no passage of such an item states all its facts, or it gives
    one of them to another row or column of a table; and the guard lets through none but the
    known misses."""
    for item in ITEMS:
        if (item.kind in NEAR_MISS_KINDS and item.kind != "near_miss_polarity"
                and item.id not in KNOWN_MISSES):
            for p in item.passages:
                facts = passage_facts(f"{p.title}\n{p.text}")
                rows = _passage_sentences(p.text)  # as the guard reads a passage
                assert (unstated(item.sentence, facts, translated=p.language != item.language)
                        or misplaced(item.sentence, labelled_values(rows))
                        or unbound(item.sentence, table(rows))), item.id
    passed = {item.id for item, v in zip(ITEMS, verdicts, strict=True)
              if item.kind in NEAR_MISS_KINDS and item.kind != "near_miss_polarity"
              and v.supported}
    assert passed <= set(KNOWN_MISSES), sorted(passed - set(KNOWN_MISSES))
    assert all(v.reason for item, v in zip(ITEMS, verdicts, strict=True) if not v.supported)
