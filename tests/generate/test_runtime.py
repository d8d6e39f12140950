"""The embedded llama.cpp runtime: failure modes (fast) and the real model end to end (slow)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from cxrag.generate import EmbeddedRuntime, LLMSettings, LLMUnavailable, build_chat, ensure_model
from cxrag.settings import NO_CJK_GRAMMAR

CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")


def test_grammar_is_on_for_the_embedded_backend_only_unless_set() -> None:
    assert LLMSettings().grammar == NO_CJK_GRAMMAR
    assert LLMSettings(backend="remote").grammar is None
    assert LLMSettings(backend="remote", no_cjk=True).grammar == NO_CJK_GRAMMAR
    assert LLMSettings(no_cjk=False).grammar is None


def test_not_started_runtime_is_unhealthy_and_has_no_url() -> None:
    runtime = EmbeddedRuntime(LLMSettings())
    assert not runtime.running and not runtime.health()
    with pytest.raises(LLMUnavailable, match="not running"):
        _ = runtime.base_url
    runtime.stop()  # idempotent, also before start


def test_unloadable_model_raises_llm_unavailable(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF but not really")
    runtime = EmbeddedRuntime(LLMSettings(), model_path=bad)
    with pytest.raises(LLMUnavailable, match="broken.gguf failed to load") as info:
        runtime.start()
    assert info.value.status == 503 and not runtime.running


def test_each_runtime_gets_its_own_api_key() -> None:
    a, b = EmbeddedRuntime(LLMSettings()), EmbeddedRuntime(LLMSettings())
    assert a.api_key != b.api_key and len(a.api_key) >= 32


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_real_model_answers_and_streams() -> None:
    """Qwen2.5-Coder-1.5B from the 22 pinned parts, served on loopback (~10 s warm)."""
    settings = LLMSettings(threads=2, n_ctx=2048, max_tokens=24)
    began = time.perf_counter()
    path = ensure_model(settings.cache_dir)  # the default cache: assembled once per machine
    assembled_s = time.perf_counter() - began
    with EmbeddedRuntime(settings, model_path=path) as runtime:
        loaded_s = time.perf_counter() - began - assembled_s
        assert runtime.health()
        assert runtime.base_url.startswith("http://127.0.0.1:")
        chat = build_chat(settings, runtime)
        result = chat.complete([{"role": "user", "content": "Reply with the single word: hola"}])
        assert result.text.strip()
        assert result.usage["input_tokens"] > 0 and result.usage["output_tokens"] > 0
        deltas = list(chat.stream([{"role": "user", "content": "Count from 1 to 10."}]))
        assert len(deltas) >= 2 and "".join(deltas).strip()
        # Asked in Chinese, the model answers in Chinese, unless the default grammar
        # (LLMSettings.no_cjk) is sent: then in another script, streamed or not.
        chinese = [{"role": "user", "content": "\u8bf7\u7528\u4e2d\u6587\u56de\u7b54\uff1a"
                    "\u4f60\u597d\u5417\uff1f"}]
        free = build_chat(settings.model_copy(update={"no_cjk": False}), runtime)
        assert CJK.search(free.complete(chinese).text)
        held = chat.complete(chinese).text
        assert held.strip() and not CJK.search(held)
        assert not CJK.search("".join(chat.stream(chinese)))
        free.close()
    assert not runtime.health()
    print(f"assemble/verify {assembled_s:.1f} s, load {loaded_s:.1f} s, "
          f"reply {result.text!r} in {result.latency_ms:.0f} ms")
