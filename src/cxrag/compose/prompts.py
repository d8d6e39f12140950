"""Versioned prompt templates from ``prompts/<version>/<name>.yaml``, rendered with Jinja2.

Templates are data, not code: they render in Jinja2's sandbox with undefined variables as
errors, and never with HTML autoescaping (the output is a prompt, not a page). The system part
is static so the LLM runtime can cache the prompt prefix across requests.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from cxrag.errors import PromptError, PromptNotFound

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


@dataclass(frozen=True)
class Prompt:
    """One loaded template."""

    name: str
    version: str
    description: str
    system: str
    user: Any  # a compiled jinja2 Template

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """Chat messages (system, user) for ``variables``."""
        try:
            user = self.user.render(**variables).strip()
        except TemplateError as exc:
            raise PromptError(f"prompt {self.version}/{self.name}: {exc}") from exc
        return [{"role": "system", "content": self.system.strip()},
                {"role": "user", "content": user}]


class PromptLibrary:
    """Loads templates on first use and keeps them; one default version per deployment."""

    def __init__(self, root: Path, default_version: str = "v1") -> None:
        self.root, self.default_version = root, default_version
        self._env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                         keep_trailing_newline=False)
        self._cache: dict[tuple[str, str], Prompt] = {}
        self._lock = threading.Lock()

    def versions(self) -> list[str]:
        """Versions present on disk."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if p.is_dir() and _VERSION.match(p.name))

    def system_prompts(self) -> list[str]:
        """The system prompt of every template of every version on disk (what a reply must
        never reveal)."""
        found = []
        for version in self.versions():
            for path in sorted((self.root / version).glob("*.yaml")):
                with contextlib.suppress(PromptError, PromptNotFound):
                    found.append(self.get(path.stem, version).system.strip())
        return [s for s in found if s]

    def get(self, name: str, version: str | None = None) -> Prompt:
        """The template ``name`` of ``version`` (default: the deployment's)."""
        version = version or self.default_version
        if not _VERSION.match(version) or not re.match(r"^[a-z_]+$", name):
            raise PromptNotFound(f"invalid prompt version {version!r} or name {name!r}")
        with self._lock:
            if (version, name) not in self._cache:
                self._cache[(version, name)] = self._load(version, name)
            return self._cache[(version, name)]

    def _load(self, version: str, name: str) -> Prompt:
        path = self.root / version / f"{name}.yaml"
        if not path.is_file():
            known = ", ".join(self.versions()) or "none"
            raise PromptNotFound(f"no prompt {name!r} in version {version!r} "
                                 f"(versions: {known}; looked in {path})")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("name") != name:
                raise PromptError(f"{path}: 'name' must be {name!r}")
            return Prompt(name, version, str(data.get("description", "")),
                          str(data["system"]), self._env.from_string(str(data["user"])))
        except (yaml.YAMLError, KeyError, TemplateError) as exc:
            raise PromptError(f"{path}: {type(exc).__name__}: {exc}") from exc
