"""A local GGUF by path (CXRAG_LLM__MODEL_PATH): checked, named and launched; nothing loads."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
import xllamacpp

import cxrag.generate.model as model
from cxrag.errors import ConfigurationError, CxragError, ModelIntegrityError
from cxrag.generate import EmbeddedRuntime, LLMSettings
from cxrag.generate.model import QWEN_FILENAME, resolve_model
from cxrag.settings import Settings

DEFAULT_NAME = LLMSettings().model
CONTENT = b"GGUF" + b"\x03\x00\x00\x00" + bytes(range(256)) * 12  # magic, version, filler
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "BLOCK", 1024)  # several blocks even for a tiny file


@pytest.fixture(autouse=True)
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to load a model here is a test bug: the real one takes a GB of memory."""
    def refuse(params: Any) -> None:
        raise AssertionError(f"a test tried to start llama.cpp with {params.model.path}")

    monkeypatch.setattr(xllamacpp, "Server", refuse)


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "models" / "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf"
    path.parent.mkdir()
    path.write_bytes(CONTENT)
    return path


def settings(path: Path | None, cache: Path, **kw: Any) -> LLMSettings:
    return LLMSettings(model_path=path, model_cache_dir=cache, **kw)


# -- the checks -----------------------------------------------------------------------------
def test_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    s = settings(tmp_path / "nope.gguf", tmp_path / "cache")
    with pytest.raises(ConfigurationError, match=r"nope\.gguf does not exist") as info:
        resolve_model(s)
    assert info.value.code == "configuration_error"
    assert "CXRAG_LLM__MODEL_PATH" in info.value.detail


def test_a_directory_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="is not a file"):
        resolve_model(settings(tmp_path, tmp_path / "cache"))


@pytest.mark.parametrize("content", [b"", b"GG", b"\x7fELF and more", b"gguf lower case"])
def test_wrong_magic_is_a_configuration_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match="is not a GGUF model"):
        resolve_model(settings(path, tmp_path / "cache", model_sha256=SHA))


def test_sha256_mismatch_is_a_model_integrity_error(gguf: Path, tmp_path: Path) -> None:
    wrong = hashlib.sha256(b"another model").hexdigest()
    cache = tmp_path / "cache"
    with pytest.raises(ModelIntegrityError, match="CXRAG_LLM__MODEL_SHA256") as info:
        resolve_model(settings(gguf, cache, model_sha256=wrong))
    assert info.value.extra["actual_sha256"] == SHA
    assert info.value.extra["expected_sha256"] == wrong
    assert isinstance(info.value, CxragError)
    assert not list((cache / "verified").glob("*.json"))  # a bad file is never vouched for


@pytest.mark.parametrize("bad", ["abc123", "z" * 64, SHA + "00"])
def test_malformed_sha256_is_a_configuration_error(gguf: Path, tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigurationError, match="is not a sha256"):
        resolve_model(settings(gguf, tmp_path / "cache", model_sha256=bad))


# -- accepted, and what the runtime would launch ----------------------------------------------
def test_correct_sha256_is_accepted_and_launched(gguf: Path, tmp_path: Path) -> None:
    s = settings(gguf, tmp_path / "cache", model_sha256=f"  {SHA.upper()} ")
    seen: list[tuple[int, int]] = []
    assert resolve_model(s, lambda done, total: seen.append((done, total))) == gguf
    assert seen[-1] == (len(CONTENT), len(CONTENT)) and len(seen) > 1

    runtime = EmbeddedRuntime(s)
    path = runtime.model_file()
    assert path == gguf
    params = runtime.server_params(path)
    assert params.model.path == str(gguf)
    assert params.model_alias == {"Mistral-7B-Instruct-v0.3-Q4_K_M"}
    assert s.model == "Mistral-7B-Instruct-v0.3-Q4_K_M"  # what the client sends and records


def test_no_sha256_checks_only_presence_and_magic(gguf: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "_hash_file", _must_not_hash)
    assert resolve_model(settings(gguf, tmp_path / "cache")) == gguf


def test_relative_path_is_launched_absolute(gguf: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(gguf.parent)
    path = resolve_model(settings(Path(gguf.name), tmp_path / "cache"))
    assert path.is_absolute() and path == gguf


def test_start_launches_the_checked_file_under_its_name(gguf: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole start path, with llama.cpp's server replaced by a recorder."""
    started: list[Any] = []

    class FakeServer:
        listening_address = "http://127.0.0.1:9"

        def __init__(self, params: Any) -> None:
            started.append(params)

    monkeypatch.setattr(xllamacpp, "Server", FakeServer)
    with EmbeddedRuntime(settings(gguf, tmp_path / "cache", model_sha256=SHA)) as runtime:
        assert runtime.running
    (params,) = started
    assert params.model.path == str(gguf)
    assert params.model_alias == {"Mistral-7B-Instruct-v0.3-Q4_K_M"}


def test_start_with_a_bad_file_fails_before_llama_cpp(tmp_path: Path) -> None:
    bad = tmp_path / "weights.bin"
    bad.write_bytes(b"PK\x03\x04 a zip, not a model")
    runtime = EmbeddedRuntime(settings(bad, tmp_path / "cache"))
    with pytest.raises(ConfigurationError, match="is not a GGUF model"):
        runtime.start()  # the no_server fixture fails the test if llama.cpp were called
    assert not runtime.running


# -- the verification is cached by path, size and mtime ---------------------------------------
def _must_not_hash(*args: object) -> str:
    raise AssertionError("hashed again")


def test_verified_hash_is_remembered_until_the_file_changes(
    gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(gguf, tmp_path / "cache", model_sha256=SHA)
    resolve_model(s)
    assert len(list((tmp_path / "cache" / "verified").glob("*.json"))) == 1

    real_hash = model._hash_file
    monkeypatch.setattr(model, "_hash_file", _must_not_hash)
    assert resolve_model(s) == gguf  # the stamp vouches: no second pass over the file

    stat = gguf.stat()
    os.utime(gguf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with pytest.raises(AssertionError, match="hashed again"):
        resolve_model(s)  # same size, new mtime: hashed again

    monkeypatch.setattr(model, "_hash_file", real_hash)
    gguf.write_bytes(CONTENT + b"x")  # changed in place: the old stamp must not vouch
    with pytest.raises(ModelIntegrityError):
        resolve_model(s)


def test_unwritable_cache_still_verifies(gguf: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    assert resolve_model(settings(gguf, blocker, model_sha256=SHA)) == gguf


# -- unset: the packaged model as before ------------------------------------------------------
def test_unset_model_path_resolves_the_packaged_model(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Path, Any]] = []

    def fake_ensure(cache_dir: Path, progress: Any = None) -> Path:
        calls.append((cache_dir, progress))
        return cache_dir / QWEN_FILENAME

    monkeypatch.setattr(model, "ensure_model", fake_ensure)
    s = settings(None, tmp_path / "cache")
    assert s.model == DEFAULT_NAME
    runtime = EmbeddedRuntime(s)
    path = runtime.model_file()
    assert path == tmp_path / "cache" / QWEN_FILENAME
    assert calls == [(tmp_path / "cache", None)]
    params = runtime.server_params(path)
    assert params.model.path == str(path) and params.model_alias == {DEFAULT_NAME}


def test_explicit_runtime_path_wins_unchecked(tmp_path: Path) -> None:
    """``EmbeddedRuntime(model_path=...)`` (tests, benchmarks) is loaded as given, as before."""
    given = tmp_path / "anything.gguf"
    runtime = EmbeddedRuntime(settings(tmp_path / "missing.gguf", tmp_path), model_path=given)
    assert runtime.model_file() == given


# -- the served name --------------------------------------------------------------------------
def test_explicit_model_name_is_kept(gguf: Path, tmp_path: Path) -> None:
    s = settings(gguf, tmp_path, model="mistral-7b")
    assert s.model == "mistral-7b"
    assert EmbeddedRuntime(s).server_params(gguf).model_alias == {"mistral-7b"}


def test_split_gguf_is_named_without_its_part_suffix(tmp_path: Path) -> None:
    s = settings(tmp_path / "Qwen2.5-14B-Instruct-Q4_K_M-00001-of-00003.gguf", tmp_path)
    assert s.model == "Qwen2.5-14B-Instruct-Q4_K_M"


def test_remote_backend_ignores_model_path_for_the_name(gguf: Path, tmp_path: Path) -> None:
    assert settings(gguf, tmp_path, backend="remote").model == DEFAULT_NAME


def test_environment_variables(gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXRAG_LLM__MODEL_PATH", str(gguf))
    monkeypatch.setenv("CXRAG_LLM__MODEL_SHA256", SHA)
    llm = Settings(_env_file=None).llm
    assert llm.model_path == gguf and llm.model_sha256 == SHA
    assert llm.model == "Mistral-7B-Instruct-v0.3-Q4_K_M"

    monkeypatch.setenv("CXRAG_LLM__MODEL_PATH", "")
    monkeypatch.setenv("CXRAG_LLM__MODEL_SHA256", " ")
    llm = Settings(_env_file=None).llm
    assert llm.model_path is None and llm.model_sha256 is None and llm.model == DEFAULT_NAME
