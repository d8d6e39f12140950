"""Eval fixtures: settings over a copy of the sample knowledge base, with one customer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cxrag.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def eval_home(tmp_path: Path, sample_kb: Path) -> Settings:
    """Settings whose eval knowledge is ``sample_kb`` and whose suites live in ``tmp_path``."""
    home = tmp_path / "sample"
    shutil.copytree(sample_kb, home / "articles")
    (home / "customers").mkdir()
    (home / "customers" / "customers.json").write_text(json.dumps([
        {"id": "C1", "name": "Ana Ruiz", "locale": "es-ES", "tier": "plus", "orders": []}]))
    return Settings(data_dir=tmp_path / "data", _env_file=None,  # type: ignore[call-arg]
                    prompts={"dir": ROOT / "prompts"},
                    eval={"knowledge_dir": home, "dir": tmp_path})
