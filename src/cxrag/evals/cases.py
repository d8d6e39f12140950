"""Eval cases: the golden set, and the counterfactual variants of the bias suite.

Both are YAML files written by people (``evals/README.md`` documents the shapes); a malformed
file fails with the file, the case and the field, before anything runs.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cxrag.errors import InvalidRequest

Category = Literal["plain", "crosslingual", "multiturn", "personalised", "unanswerable",
                  "frustrated"]
Channel = Literal["web", "email", "whatsapp", "phone", "agent"]


class HistoryTurn(BaseModel):
    """One earlier message of a case's conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    role: Literal["customer", "assistant", "agent"]
    text: str = Field(min_length=1)


class Case(BaseModel):
    """One question with what a good reply must do."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=120)
    category: Category
    language: Literal["es", "en"]
    message: str = Field(min_length=1)
    customer_id: str | None = None
    channel: Channel = "web"
    history: tuple[HistoryTurn, ...] = ()
    reference: str = ""
    facts: tuple[str, ...] = ()
    relevant: tuple[str, ...] = ()
    handoff: bool = False
    fast: bool = False
    # bias variants only: which seed, attribute and value produced the case
    group: str | None = None
    attribute: str | None = None
    value: str | None = None

    @field_validator("facts")
    @classmethod
    def _no_empty_facts(cls, facts: tuple[str, ...]) -> tuple[str, ...]:
        if any(not alt.strip() for fact in facts for alt in fact.split("|")):
            raise ValueError("a fact (or one of its '|' alternatives) is empty")
        return facts


class Suite(BaseModel):
    """A named list of cases."""

    model_config = ConfigDict(extra="forbid")
    suite: str
    description: str = ""
    cases: list[Case]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidRequest(f"no eval suite at {path}") from exc
    except yaml.YAMLError as exc:
        raise InvalidRequest(f"{path} is not valid YAML: {exc}") from exc


def _invalid(path: Path, exc: ValidationError, data: Any) -> InvalidRequest:
    problems = []
    for err in exc.errors()[:10]:
        where = list(err["loc"])
        if len(where) >= 2 and where[0] in {"cases", "seeds"} and isinstance(where[1], int):
            try:
                where[1] = data[where[0]][where[1]].get("id", where[1])
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
        problems.append(f"{'.'.join(str(w) for w in where)}: {err['msg']}")
    return InvalidRequest(f"{path}: " + "; ".join(problems))


def load_suite(path: Path) -> Suite:
    """The golden cases of ``path``; ids must be unique."""
    data = _read_yaml(path)
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        raise _invalid(path, exc, data) from exc
    seen: set[str] = set()
    for case in suite.cases:
        if case.id in seen:
            raise InvalidRequest(f"{path}: case id {case.id!r} is used twice")
        seen.add(case.id)
    return suite


# -- bias suite -----------------------------------------------------------------------------

class Phrase(BaseModel):
    """An added sentence (``template`` with ``{value}``) and the values it takes."""

    model_config = ConfigDict(extra="forbid")
    template: str
    values: list[str | int]


class Attributes(BaseModel):
    """What varies: first names by gender, and nationality and age sentences, per language."""

    model_config = ConfigDict(extra="forbid")
    gender: dict[str, dict[str, list[str]]]
    nationality: dict[str, Phrase]
    age: dict[str, Phrase]


class Seed(BaseModel):
    """One question with ``{name}`` and ``{about}`` placeholders, and its dialect wordings."""

    model_config = ConfigDict(extra="forbid")
    id: str
    language: Literal["es", "en"]
    text: str
    neutral_name: str
    dialects: dict[str, str] = Field(default_factory=dict)
    relevant: list[str] = Field(default_factory=list)
    handoff: bool = False

    @field_validator("text")
    @classmethod
    def _placeholders(cls, text: str) -> str:
        for slot in ("{name}", "{about}"):
            if slot not in text:
                raise ValueError(f"the text lacks the {slot} placeholder")
        return text


class BiasSeeds(BaseModel):
    """The whole bias file."""

    model_config = ConfigDict(extra="forbid")
    suite: str = "bias"
    attributes: Attributes
    seeds: list[Seed]


def load_bias(path: Path) -> BiasSeeds:
    """The bias seeds of ``path``."""
    data = _read_yaml(path)
    try:
        return BiasSeeds.model_validate(data)
    except ValidationError as exc:
        raise _invalid(path, exc, data) from exc


def _about(phrase: Phrase, value: str | int) -> str:
    return phrase.template.format(value=value).strip() + " "


def variants(bias: BiasSeeds, per_group: int | None = None) -> list[Case]:
    """Counterfactual cases: for every seed and attribute, variants that differ from each
    other in that attribute alone (the name within a gender, a nationality sentence, an age
    sentence, or the dialect wording). ``per_group`` caps the values per attribute."""
    out: list[Case] = []
    attrs = bias.attributes
    for seed in bias.seeds:
        lang = seed.language

        def case(attribute: str, value: str, text: str, *, seed: Seed = seed) -> Case:
            return Case(id=f"{seed.id}/{attribute}={value}",
                        category="unanswerable" if seed.handoff else "plain",
                        language=seed.language, message=" ".join(text.split()),
                        relevant=tuple(seed.relevant), handoff=seed.handoff,
                        group=seed.id, attribute=attribute, value=value)

        names = attrs.gender.get(lang, {})
        for gender, pool in names.items():
            for name in pool[:per_group]:
                out.append(case("gender", f"{gender}:{name}",
                                seed.text.format(name=name, about="")))
        for attribute, phrases in (("nationality", attrs.nationality), ("age", attrs.age)):
            phrase = phrases.get(lang)
            if phrase is None:
                continue
            for value in phrase.values[:per_group]:
                out.append(case(attribute, str(value), seed.text.format(
                    name=seed.neutral_name, about=_about(phrase, value))))
        for dialect, text in itertools.islice(seed.dialects.items(), per_group):
            out.append(case("dialect", dialect, text.format(name=seed.neutral_name, about="")))
    return out
