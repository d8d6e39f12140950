"""The eval runner on a small suite with a fake chat model (real Chroma, tantivy, history
store and ragas metrics; fake embedder): deterministic scores, the cache, the run record."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from cxrag.errors import LLMTimeout
from cxrag.evals.cases import load_suite
from cxrag.evals.runner import EvalRunner, RunOptions, load_run, write_run
from cxrag.generate.client import ChatResult, Messages
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat

ROOT = Path(__file__).resolve().parents[2]

SUITE = """
suite: mini
cases:
  - id: en-gift-cards
    category: plain
    language: en
    message: "Do your gift cards expire?"
    reference: "Gift cards never expire."
    facts: ["never expire"]
    relevant: [en/gift-cards]
  - id: es-returns
    category: plain
    language: es
    message: "¿Cuántos días tengo para devolver un pedido?"
    reference: "Tienes 30 días naturales para devolver un pedido."
    facts: ["30 días|treinta días", "gratis"]
    relevant: [es/devoluciones]
  - id: en-crypto
    category: unanswerable
    language: en
    message: "Can I pay with bitcoin? <script>alert(1)</script>"
    relevant: []
    handoff: true
  - id: es-person
    category: frustrated
    language: es
    customer_id: C1
    message: "Llevo tres semanas esperando la garantía, estoy harto"
    relevant: [es/garantia]
    handoff: true
"""


class KeywordChat(FakeChat):
    """Answers with a passage's sentence when the prompt holds the question, else NO_ANSWER."""

    ANSWERS = {"Do your gift cards": "Gift cards never expire and can be used on any product sold "
                             "by us.",
               "Cuántos días tengo": "Tienes 30 días naturales para devolver un pedido."}

    def complete(self, messages: Messages, **opts: Any) -> ChatResult:
        self.calls.append(messages)
        prompt = messages[-1]["content"]
        text = next((a for k, a in self.ANSWERS.items() if k in prompt), "NO_ANSWER")
        return ChatResult(text, "fake", 1.0, {"input_tokens": 100, "output_tokens": 20,
                                              "total_tokens": 120})


@pytest.fixture
def eval_settings(eval_home: Settings) -> Settings:
    (eval_home.eval.dir / "mini.yaml").write_text(SUITE, encoding="utf-8")
    return eval_home


def _run(settings: Settings, chat: FakeChat, knowledge: Knowledge) -> dict[str, Any]:
    runner = EvalRunner(settings, chat=chat, knowledge=knowledge)
    suite = load_suite(settings.eval.dir / "mini.yaml")
    try:
        return runner.run(RunOptions("mini", suite.cases, settings.eval.dir / "mini.yaml"))
    finally:
        runner.close()


def test_a_small_suite_gets_the_scores_its_answers_deserve(
        eval_settings: Settings, fake_embedder: Any, tmp_path: Path) -> None:
    chat = KeywordChat()
    run = _run(eval_settings, chat, Knowledge(eval_settings, embedder=fake_embedder))
    cases = {c["id"]: c for c in run["cases"]}

    gift = cases["en-gift-cards"]
    assert gift["handoff"] is None and gift["cited_ids"] == ["en/gift-cards"]
    assert gift["scores"]["facts"] == 1.0 and gift["scores"]["citation_precision"] == 1.0
    assert gift["scores"]["context_recall"] == 1.0 and gift["scores"]["language_match"] == 1.0
    returns = cases["es-returns"]
    assert returns["scores"]["facts"] == 0.5  # "gratis" is not in the answer
    assert returns["scores"]["handoff_correct"] == 1.0
    assert 0.5 < returns["scores"]["semantic_similarity"] <= 1.0
    crypto = cases["en-crypto"]
    assert crypto["handoff"] is not None and crypto["scores"]["handoff_correct"] == 1.0
    assert crypto["scores"]["context_recall"] is None  # nothing is relevant: not applicable
    person = cases["es-person"]
    assert person["scores"]["escalated"] == 1.0 and person["scores"]["handoff_correct"] == 1.0

    overall = run["metrics"]["overall"]
    assert overall["cases"] == 4 and overall["handoff_correct"] == 1.0
    assert overall["facts"] == pytest.approx(0.75)
    assert run["metrics"]["by_category"]["unanswerable"]["cases"] == 1
    meta = run["meta"]
    assert meta["prompt_version"] == "v3" and meta["embedding_model"] == "fake-hash-64"
    assert meta["git"]["commit"] and meta["settings"]["prompts"]["context_tokens"] == 300
    assert meta["suite_digest"] and meta["cache"] == {"hits": 0, "misses": len(chat.calls)}

    path = write_run(run, tmp_path / "run-a")
    html = (tmp_path / "run-a" / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<svg" in html and "Worst cases" in html
    assert load_run(path.parent)["metrics"] == json.loads(json.dumps(run["metrics"]))


def test_a_rerun_with_the_same_inputs_comes_from_the_cache(
        eval_settings: Settings, fake_embedder: Any) -> None:
    first = _run(eval_settings, KeywordChat(), Knowledge(eval_settings, embedder=fake_embedder))
    chat = KeywordChat()
    second = _run(eval_settings, chat, Knowledge(eval_settings, embedder=fake_embedder))
    assert chat.calls == [] and second["meta"]["cache"]["misses"] == 0
    assert second["metrics"] == first["metrics"]
    other = eval_settings.model_copy(update={"prompts": eval_settings.prompts.model_copy(
        update={"max_passages": 1})})
    chat = KeywordChat()
    _run(other, chat, Knowledge(other, embedder=fake_embedder))
    assert chat.calls  # fewer passages change the prompts: no stale answers
    free = eval_settings.model_copy(update={"llm": eval_settings.llm.model_copy(
        update={"no_cjk": False})})
    chat = KeywordChat()
    _run(free, chat, Knowledge(free, embedder=fake_embedder))
    assert chat.calls  # without the grammar the model may answer otherwise: not from the cache


def test_the_tone_classifier_reads_one_word_from_the_model() -> None:
    from cxrag.compose.prompts import PromptLibrary
    from cxrag.evals.tone import ToneClassifier

    chat = FakeChat("Negative.", " positive", "It depends", LLMTimeout("slow"))
    tone = ToneClassifier(chat, PromptLibrary(ROOT / "prompts"))
    assert [tone("a"), tone("b"), tone("c"), tone("d")] == [-1.0, 1.0, None, None]
    assert "Text: a" in chat.calls[0][-1]["content"]


def test_the_tone_is_the_expected_score_under_the_models_own_distribution() -> None:
    from cxrag.compose.prompts import PromptLibrary
    from cxrag.evals.tone import ToneClassifier
    from cxrag.generate.client import ChatResult

    class Scripted:
        """Answers "neutral", with these first-token log-probabilities."""

        def __init__(self, *alternatives: tuple[tuple[str, float], ...]) -> None:
            self.alternatives, self.opts = list(alternatives), []

        def complete(self, messages: Any, **opts: Any) -> ChatResult:
            self.opts.append(opts)
            return ChatResult("neutral", "fake", 1.0, {}, self.alternatives.pop(0))

    ln = math.log
    chat = Scripted(
        # two near-identical replies either side of the neutral/negative boundary
        (("neutral", ln(0.51)), ("negative", ln(0.45)), ("Neutral", ln(0.01)), ("ok", ln(0.03))),
        (("negative", ln(0.50)), ("neutral", ln(0.47)), (" Neg", ln(0.01))),
        (("positive", ln(0.6)), ("Positive", ln(0.2)), ("negative", ln(0.2))),
        (("maybe", ln(0.9)),),  # no label among them: the likeliest word's score
    )
    tone = ToneClassifier(chat, PromptLibrary(ROOT / "prompts"))
    near = [tone("a"), tone("b")]
    assert near[0] == pytest.approx(-0.45 / 0.97) and near[1] == pytest.approx(-0.51 / 0.98)
    assert abs(near[0] - near[1]) < 0.1  # labels alone would put them 1.0 apart
    assert tone("c") == pytest.approx(0.6) and tone("d") == 0.0
    assert tone.label("a") == "neutral" and len(chat.opts) == 4  # judged once per text
    assert chat.opts[0]["logprobs"] is True and chat.opts[0]["top_logprobs"] >= 3


def test_an_endpoint_that_rejects_logprobs_still_gets_its_words_read() -> None:
    from cxrag.compose.prompts import PromptLibrary
    from cxrag.errors import LLMError
    from cxrag.evals.tone import ToneClassifier

    class NoLogprobs(FakeChat):
        def complete(self, messages: Messages, **opts: Any) -> ChatResult:
            if opts.get("logprobs"):
                raise LLMError("chat model rejected the request (400): logprobs")
            return super().complete(messages, **opts)

    chat = NoLogprobs("positive", "negative")
    tone = ToneClassifier(chat, PromptLibrary(ROOT / "prompts"))
    assert [tone("a"), tone("b")] == [1.0, -1.0] and len(chat.calls) == 2


def test_eval_artefacts_carry_no_personal_data(tmp_path: Path) -> None:
    case = {"id": "c1", "message": "Mi email es ana.ruiz@example.com y mi IBAN "
            "ES91 2100 0418 4502 0005 1332", "answer": "Te escribimos a ana.ruiz@example.com",
            "scores": {}, "category": "plain", "language": "es"}
    run = {"meta": {"suite": "x"}, "metrics": {"overall": {}}, "cases": [case]}
    path = write_run(run, tmp_path / "run")
    for text in (path.read_text(), (tmp_path / "run" / "report.html").read_text()):
        assert "ana.ruiz@example.com" not in text and "2100 0418" not in text
