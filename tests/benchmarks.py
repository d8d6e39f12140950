"""A benchmark script (``benchmarks/<name>.py``) loaded as a module, for tests of its helpers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as the module ``<name>_bench`` (registered in ``sys.modules``:
    dataclasses look their module up while being built)."""
    spec = importlib.util.spec_from_file_location(f"{name}_bench",
                                                  ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
