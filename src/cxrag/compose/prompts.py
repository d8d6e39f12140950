"""Versioned prompt templates from ``prompts/<version>/<name>.yaml``, rendered with Jinja2.

Templates are data, not code: they render in Jinja2's sandbox with undefined variables as
errors, and never with HTML autoescaping (the output is a prompt, not a page). The system part
is static so the LLM runtime can cache the prompt prefix across requests.

One file of a version is not a chat template: ``texts.yaml`` holds what the assistant says
without a model (handoff, escalation and fallback messages, the extractive reply's frame, per
language) and the summaries an agent reads, rendered from data (``Texts``).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from cxrag.errors import PromptError, PromptNotFound

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
TEXTS = "texts"  # the file of fixed texts and summaries in each version
MESSAGES = ("handoff", "fallback", "escalate", "back", "intro", "offer")
OPTIONAL_MESSAGES = ("search_return_period", "search_warranty_period")
"""Searches, not said to anyone: what to look up in the help centre when a customer asks
how long they have to return an item or claim the warranty (``reply.account``)."""
SUMMARIES = ("handoff", "customer")


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


@dataclass(frozen=True)
class Texts:
    """The fixed texts of one version: messages per language and the agents' summaries."""

    version: str
    messages: Mapping[str, Mapping[str, Any]]  # language -> key -> compiled template
    days: Mapping[str, tuple[str, ...]]  # language -> weekday names, Monday first
    summaries: Mapping[str, Any]  # name -> compiled template

    def language(self, language: str) -> str:
        """``language`` if this version has texts in it, else English."""
        return language if language in self.messages else "en"

    def has(self, language: str, key: str) -> bool:
        """Whether ``language`` (English when the version lacks it) has the message ``key``."""
        return key in self.messages[self.language(language)]

    def say(self, language: str, key: str, /, **variables: Any) -> str:
        """The message ``key`` in ``language`` (English when the version lacks it)."""
        return self._render(self.messages[self.language(language)][key], key, variables)

    def day(self, language: str, weekday: int) -> str:
        """The name of ``weekday`` (0 is Monday) in ``language``."""
        return self.days[self.language(language)][weekday]

    def summary(self, which: str, /, **variables: Any) -> str:
        """The summary ``which`` (handoff or customer) rendered from ``variables``."""
        return self._render(self.summaries[which], which, variables)

    def _render(self, template: Any, key: str, variables: dict[str, Any]) -> str:
        try:
            return str(template.render(**variables)).strip()
        except TemplateError as exc:
            raise PromptError(f"prompt {self.version}/{TEXTS} {key!r}: {exc}") from exc


class PromptLibrary:
    """Loads templates on first use and keeps them; one default version per deployment."""

    def __init__(self, root: Path, default_version: str = "v1") -> None:
        self.root, self.default_version = root, default_version
        self._env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                         keep_trailing_newline=False)
        self._cache: dict[tuple[str, str], Prompt] = {}
        self._texts: dict[str, Texts] = {}
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
                if path.stem == TEXTS:  # said to customers on purpose: not a secret
                    continue
                with contextlib.suppress(PromptError, PromptNotFound):
                    found.append(self.get(path.stem, version).system.strip())
        return [s for s in found if s]

    def get(self, name: str, version: str | None = None) -> Prompt:
        """The template ``name`` of ``version`` (default: the deployment's)."""
        version = version or self.default_version
        if not _VERSION.match(version) or not re.match(r"^[a-z_]+$", name) or name == TEXTS:
            raise PromptNotFound(f"invalid prompt version {version!r} or name {name!r}")
        with self._lock:
            if (version, name) not in self._cache:
                self._cache[(version, name)] = self._load(version, name)
            return self._cache[(version, name)]

    def texts(self, version: str | None = None) -> Texts:
        """The fixed texts and summaries of ``version`` (default: the deployment's), checked
        when loaded: every language has every message and seven day names."""
        version = version or self.default_version
        if not _VERSION.match(version):
            raise PromptNotFound(f"invalid prompt version {version!r}")
        with self._lock:
            if version not in self._texts:
                self._texts[version] = self._load_texts(version)
            return self._texts[version]

    def _load_texts(self, version: str) -> Texts:
        path, data = self._read(version, TEXTS)
        try:
            messages, days = {}, {}
            for lang, entries in dict(data["messages"]).items():
                missing = [k for k in (*MESSAGES, "days") if k not in entries]
                if missing:
                    raise PromptError(f"{path}: language {lang!r} lacks {', '.join(missing)}")
                days[str(lang)] = tuple(str(d) for d in entries["days"])
                if len(days[str(lang)]) != 7:
                    raise PromptError(f"{path}: language {lang!r} needs 7 day names")
                messages[str(lang)] = {k: self._env.from_string(str(entries[k]))
                                       for k in (*MESSAGES, *OPTIONAL_MESSAGES) if k in entries}
            if "en" not in messages:
                raise PromptError(f"{path}: texts in English are required (the fallback)")
            summaries = {k: self._env.from_string(str(data["summaries"][k])) for k in SUMMARIES}
        except (AttributeError, KeyError, TypeError, ValueError, TemplateError) as exc:
            raise PromptError(f"{path}: {type(exc).__name__}: {exc}") from exc
        return Texts(version, messages, days, summaries)

    def _read(self, version: str, name: str) -> tuple[Path, dict[str, Any]]:
        """The parsed file ``prompts/<version>/<name>.yaml``, its name checked."""
        path = self.root / version / f"{name}.yaml"
        if not path.is_file():
            known = ", ".join(self.versions()) or "none"
            raise PromptNotFound(f"no prompt {name!r} in version {version!r} "
                                 f"(versions: {known}; looked in {path})")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise PromptError(f"{path}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(data, dict) or data.get("name") != name:
            raise PromptError(f"{path}: 'name' must be {name!r}")
        return path, data

    def _load(self, version: str, name: str) -> Prompt:
        path, data = self._read(version, name)
        try:
            return Prompt(name, version, str(data.get("description", "")),
                          str(data["system"]), self._env.from_string(str(data["user"])))
        except (KeyError, TemplateError) as exc:
            raise PromptError(f"{path}: {type(exc).__name__}: {exc}") from exc
