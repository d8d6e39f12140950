"""Assembling and verifying the model file, with tiny fake parts and a matching fake hash."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import cxrag.generate.model as model
from cxrag.generate import ModelIntegrityError, ensure_model
from cxrag.generate.model import Progress

CONTENT = bytes(range(256)) * 40 + b"tail"  # 10,244 bytes: parts straddle the 1 KiB blocks
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "BLOCK", 1024)


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    """Three parts of uneven sizes that concatenate to CONTENT."""
    folder = tmp_path / "parts"
    folder.mkdir()
    cuts = [0, 3000, 7001, len(CONTENT)]
    paths = []
    for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
        path = folder / f"part{i:02d}.bin"
        path.write_bytes(CONTENT[a:b])
        paths.append(path)
    return paths


def build(cache: Path, parts: list[Path], progress: Progress | None = None) -> Path:
    return ensure_model(cache, progress, parts=parts, filename="m.gguf", sha256=SHA,
                        size=len(CONTENT))


def test_assembles_parts_in_order_and_reports_progress(tmp_path: Path, parts: list[Path]) -> None:
    seen: list[tuple[int, int]] = []
    path = build(tmp_path / "cache", parts, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / "cache" / "m.gguf"
    assert path.read_bytes() == CONTENT
    assert seen[-1] == (len(CONTENT), len(CONTENT))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert {t for _, t in seen} == {len(CONTENT)}


def test_corrupt_part_raises_and_leaves_no_partial_file(tmp_path: Path, parts: list[Path]) -> None:
    data = bytearray(parts[1].read_bytes())
    data[10] ^= 0xFF  # same size, one bit pattern changed
    parts[1].write_bytes(bytes(data))
    cache = tmp_path / "cache"
    with pytest.raises(ModelIntegrityError, match="sha256") as info:
        build(cache, parts)
    assert info.value.status == 500 and info.value.code == "model_integrity"
    assert info.value.extra["expected_sha256"] == SHA
    assert not (cache / "m.gguf").exists()
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_truncated_part_fails_before_writing(tmp_path: Path, parts: list[Path]) -> None:
    parts[2].write_bytes(parts[2].read_bytes()[:-1])
    cache = tmp_path / "cache"
    with pytest.raises(ModelIntegrityError, match="add up to"):
        build(cache, parts)
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_verified_file_is_reused_without_reading_parts_or_rehashing(
    tmp_path: Path, parts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = build(cache, parts)
    mtime = first.stat().st_mtime_ns
    for part in parts:
        part.unlink()  # any attempt to assemble again would fail on these

    def no_hashing(*_: object) -> str:
        raise AssertionError("a sidecar-verified file must not be re-hashed")

    monkeypatch.setattr(model, "sha256_file", no_hashing)
    assert build(cache, parts) == first
    assert first.stat().st_mtime_ns == mtime


def test_stale_sidecar_triggers_one_rehash(tmp_path: Path, parts: list[Path]) -> None:
    cache = tmp_path / "cache"
    path = build(cache, parts)
    os.utime(path, ns=(1, 1))  # e.g. the cache was copied: mtime no longer matches the sidecar
    for part in parts:
        part.unlink()
    assert build(cache, parts) == path  # re-hashed, still good, no parts needed
    assert '"mtime_ns": 1,' in (cache / "m.gguf.sha256").read_text()


def test_corrupt_cached_file_is_rebuilt_from_parts(tmp_path: Path, parts: list[Path]) -> None:
    cache = tmp_path / "cache"
    path = build(cache, parts)
    path.write_bytes(b"\0" * len(CONTENT))  # same size, wrong bytes, sidecar now stale
    assert build(cache, parts).read_bytes() == CONTENT


def test_wrong_size_cached_file_is_rebuilt(tmp_path: Path, parts: list[Path]) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "m.gguf").write_bytes(b"partial")
    assert build(cache, parts).read_bytes() == CONTENT


def test_shipped_parts_are_the_22_installed_chunks() -> None:
    shipped = model.shipped_parts()
    assert len(shipped) == 22 and all(p.is_file() for p in shipped)
    assert sum(p.stat().st_size for p in shipped) == model.QWEN_SIZE


def test_concurrent_callers_assemble_once(tmp_path: Path, parts: list[Path]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    finished: list[int] = []

    def run(_: int) -> Path:
        return build(tmp_path / "cache", parts,
                     lambda done, total: finished.append(done) if done == total else None)

    with ThreadPoolExecutor(4) as pool:
        paths = set(pool.map(run, range(4)))
    assert paths == {tmp_path / "cache" / "m.gguf"}
    assert len(finished) == 1
