"""The prompt library on the real prompts/ folder and on broken templates."""

from pathlib import Path

import pytest

from cxrag.compose.prompts import PromptLibrary
from cxrag.errors import PromptError, PromptNotFound

ROOT = Path(__file__).resolve().parents[2] / "prompts"
PASSAGES = [{"title": "Devoluciones", "text": "Tienes 30 días para devolver un pedido."},
            {"title": "Returns", "text": "Returns are free within 30 days."}]


def test_every_shipped_template_renders_with_its_documented_variables() -> None:
    lib = PromptLibrary(ROOT)
    customer = {"name": "Ana", "tier": "gold", "locale": "es-ES", "facts": ["Order A1 shipped"]}
    history = [{"role": "customer", "text": "Hola"}, {"role": "assistant", "text": "¡Hola!"}]
    variables = {
        "answer": {"question": "¿Puedo devolverlo?", "language": "Spanish",
                   "passages": PASSAGES, "customer": customer, "history": history},
        "draft": {"subject": "Return", "language": "English", "passages": PASSAGES,
                  "customer": None, "messages": [{"author": "customer", "text": "Hi"}]},
        "condense": {"question": "¿y el envío?", "history": history},
        "translate": {"language": "Spanish", "text": "Returns are free [1]."},
        "tone": {"text": "Thanks!"},
    }
    assert "v1" in lib.versions()
    for name, values in variables.items():
        system, user = lib.get(name).render(**values)
        assert system["role"] == "system" and user["role"] == "user"
        assert system["content"] and "{{" not in user["content"]
    answer = lib.get("answer").render(**variables["answer"])[1]["content"]
    # The question comes before the passages; passages are numbered for citation.
    assert answer.index("¿Puedo devolverlo?") < answer.index("[1] Devoluciones")
    assert "[2] Returns: Returns are free" in answer and "Ana (gold tier)" in answer


def test_the_system_prompt_is_the_same_for_every_request() -> None:
    prompt = PromptLibrary(ROOT).get("answer")
    a = prompt.render(question="a", language="English", passages=[], customer=None, history=[])
    b = prompt.render(question="b", language="Spanish", passages=PASSAGES, customer=None,
                      history=[])
    assert a[0] == b[0]  # a stable prefix the runtime can cache


def test_unknown_versions_names_and_missing_variables_fail_clearly(tmp_path: Path) -> None:
    lib = PromptLibrary(ROOT)
    with pytest.raises(PromptNotFound, match="versions: v1"):
        lib.get("answer", "v9")
    with pytest.raises(PromptNotFound):
        lib.get("../secrets", "v1")
    with pytest.raises(PromptNotFound):
        lib.get("answer", "../v1")
    with pytest.raises(PromptError, match="'question' is undefined"):
        lib.get("answer").render(language="English", passages=[], customer=None, history=[])


def test_versions_are_selectable_and_templates_sandboxed(tmp_path: Path) -> None:
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "answer.yaml").write_text(
        "name: answer\nsystem: Short.\nuser: 'Q={{ question }}'\n")
    (tmp_path / "v2" / "condense.yaml").write_text(
        "name: condense\nsystem: x\nuser: '{{ question.__class__.__mro__ }}'\n")
    (tmp_path / "v2" / "draft.yaml").write_text("name: other\nsystem: x\nuser: y\n")
    lib = PromptLibrary(tmp_path, default_version="v2")
    assert lib.get("answer").render(question="hi")[1]["content"] == "Q=hi"
    with pytest.raises(PromptError, match="unsafe"):  # no escape from Jinja2's sandbox
        lib.get("condense").render(question="hi")
    with pytest.raises(PromptError, match="'name' must be 'draft'"):
        lib.get("draft")


def test_the_texts_of_a_version_are_checked_when_loaded(tmp_path: Path) -> None:
    texts = PromptLibrary(ROOT).texts()
    assert texts.say("es", "offer").startswith("Si no resuelve tu duda")
    assert texts.say("fr", "offer") == texts.say("en", "offer")  # English when missing
    assert texts.say("es", "back", day=texts.day("es", 0), time="09:00", zone="Europe/Madrid") \
        == "Ahora mismo el equipo no está disponible: vuelve el lunes a las 09:00 (Europe/Madrid)."
    with pytest.raises(PromptError, match="'zone' is undefined"):
        texts.say("en", "back", day="Monday", time="09:00")
    with pytest.raises(PromptNotFound):  # the texts are not a chat template ...
        PromptLibrary(ROOT).get("texts")
    system = PromptLibrary(ROOT).system_prompts()  # ... nor a secret the guard hides
    assert system and not any(texts.say("en", "handoff") in s for s in system)
    (tmp_path / "v2").mkdir()
    broken = tmp_path / "v2" / "texts.yaml"
    broken.write_text("name: texts\nmessages:\n  es: {handoff: hola}\nsummaries: {}\n")
    with pytest.raises(PromptError, match="language 'es' lacks fallback, escalate"):
        PromptLibrary(tmp_path).texts("v2")
    with pytest.raises(PromptNotFound, match="no prompt 'texts' in version 'v3'"):
        PromptLibrary(tmp_path).texts("v3")
