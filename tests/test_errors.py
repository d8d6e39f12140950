"""The error tree: what its docstring promises (codes, statuses, parents) is what the classes do."""

import inspect
import re

import pytest

import cxrag.errors as errors
from cxrag.errors import CxragError, RateLimited

_LINE = re.compile(r"^(?P<indent>[\s│├└─]*?)(?P<name>[A-Z]\w+)\s+(?P<status>\d{3})\s+(?P<code>\w+)")


def documented() -> list[tuple[int, str, int, str]]:
    rows = []
    for line in (errors.__doc__ or "").splitlines():
        match = _LINE.match(line)
        if match:
            rows.append((len(match["indent"]), match["name"], int(match["status"]), match["code"]))
    return rows


def test_every_documented_error_has_its_code_status_and_parent() -> None:
    rows = documented()
    assert len(rows) >= 30
    parents: list[tuple[int, str]] = []
    for depth, name, status, code in rows:
        cls = getattr(errors, name)
        assert (cls.status, cls.code) == (status, code), name
        while parents and parents[-1][0] >= depth:
            parents.pop()
        if parents:
            assert cls.__bases__ == (getattr(errors, parents[-1][1]),), name
        parents.append((depth, name))


def test_every_error_class_is_documented() -> None:
    classes = {name for name, cls in inspect.getmembers(errors, inspect.isclass)
               if issubclass(cls, CxragError)}
    assert classes == {name for _, name, _, _ in documented()}


def test_codes_are_unique_so_clients_can_branch_on_them() -> None:
    codes = [code for _, _, _, code in documented()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(("after", "header"), [(0.2, "1"), (1.0, "1"), (1.01, "2"), (30, "30")])
def test_retry_after_is_a_whole_number_of_seconds_never_zero(after: float, header: str) -> None:
    assert RateLimited("slow down", retry_after=after).headers == {"Retry-After": header}
    assert RateLimited("slow down").headers == {}
