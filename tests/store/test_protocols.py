"""HistoryStore is a facade: one Protocol per job, each implemented by one SQL store, and
every facade method hands its arguments, all of them, to the part of its job."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from cxrag.store import (
    ConversationStore,
    CustomerStore,
    FeedbackStore,
    HistoryStore,
    PersonalDataStore,
    SqlConversationStore,
    SqlCustomerStore,
    SqlFeedbackStore,
    SqlPersonalDataStore,
    make_engine,
)

# (facade attribute, Protocol, SQL implementation)
PARTS: list[tuple[str, type[Any], type[Any]]] = [
    ("customers", CustomerStore, SqlCustomerStore),
    ("conversations", ConversationStore, SqlConversationStore),
    ("feedback", FeedbackStore, SqlFeedbackStore),
    ("personal_data", PersonalDataStore, SqlPersonalDataStore),
]
# The facade's own methods, not delegated to a part.
OWN = {"from_url", "close", "ping"}  # the facade's own: the engine, not a part


def _methods(cls: type[Any]) -> set[str]:
    return {name for name, value in vars(cls).items()
            if callable(value) and not name.startswith("_")}


def _signature(cls: type[Any], name: str) -> inspect.Signature:
    return inspect.signature(getattr(cls, name), eval_str=True)


@pytest.fixture
def facade() -> Iterator[HistoryStore]:
    store = HistoryStore(make_engine("sqlite://"))  # never connects: the parts are replaced
    yield store
    store.close()


def test_each_sql_store_implements_exactly_its_protocol() -> None:
    for _, protocol, implementation in PARTS:
        assert _methods(implementation) == _methods(protocol), implementation.__name__
        for name in _methods(protocol):
            assert _signature(implementation, name) == _signature(protocol, name), name


def test_the_facade_has_every_method_of_one_protocol_with_its_signature() -> None:
    owners: dict[str, str] = {}
    for attr, protocol, _ in PARTS:
        for name in _methods(protocol):
            assert name not in owners, f"{name} is in two protocols"
            owners[name] = attr
            assert _signature(HistoryStore, name) == _signature(protocol, name), name
    assert _methods(HistoryStore) - OWN == set(owners)


def test_the_facade_composes_the_sql_stores_on_one_session_factory(
        facade: HistoryStore) -> None:
    for attr, _, implementation in PARTS:
        part = getattr(facade, attr)
        assert isinstance(part, implementation)
        assert part._sessions is facade._sessions, attr
    assert isinstance(facade.conversations, SqlConversationStore)
    assert facade.conversations.continue_within == facade.continue_within


class Recorder:
    """Stands in for a part: records each call, bound to the Protocol's signature."""

    def __init__(self, protocol: type[Any]) -> None:
        self.protocol = protocol
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.result = object()

    def __getattr__(self, name: str) -> Any:
        signature = inspect.signature(getattr(self.protocol, name))

        def record(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(self, *args, **kwargs)  # TypeError on a wrong call
            self.calls.append((name, {k: v for k, v in bound.arguments.items() if k != "self"}))
            return self.result
        return record


@pytest.mark.parametrize(("attr", "protocol"), [(a, p) for a, p, _ in PARTS])
def test_every_facade_method_passes_every_argument_to_its_part(
        facade: HistoryStore, attr: str, protocol: type[Any]) -> None:
    part = Recorder(protocol)
    setattr(facade, attr, part)
    for name in sorted(_methods(protocol)):
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        expected: dict[str, Any] = {}
        parameters = list(inspect.signature(getattr(protocol, name)).parameters.values())[1:]
        for parameter in parameters:
            value = object()  # a distinct value per parameter: nothing may be dropped or swapped
            expected[parameter.name] = value
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                kwargs[parameter.name] = value
            else:
                args.append(value)
        part.calls.clear()
        assert getattr(facade, name)(*args, **kwargs) is part.result, name
        assert part.calls == [(name, expected)], name
