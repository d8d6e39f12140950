"""Property-based fuzzing of every documented operation from the app's own OpenAPI document
(schemathesis, in process over ASGI), on a fixed, derandomized budget: valid and invalid
inputs must never get a 5xx, and every answer must match what the document says (status
codes, content types, bodies, headers).

Run once with the admin key (every operation is reachable) and once with the widget key on the
widget's endpoints, where the fuzzed identity headers meet the customer-token check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi

from cxrag.api.app import create_app
from cxrag.api.auth import sign_customer
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.api.conftest import with_keys
from tests.conftest import FakeChat

WIDGET, AGENT, ADMIN, SECRET = "widget-key", "agent-key", "admin-key", "tenant-secret"
GIFT = "Gift cards never expire and can be used on any product sold by us."
EXAMPLES = 25  # per operation and generation mode (valid data, invalid data)
IDENTITY = ("x-visitor-id", "x-customer-id")
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance,
          schemathesis.checks.response_schema_conformance,
          schemathesis.checks.response_headers_conformance]
BUDGET = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
WIDGET_PATHS = r"^/v1/(chat|handoffs|conversations/)"


@pytest.fixture
def api_schema(settings: Settings, knowledge: Knowledge,
               sample_kb: Path) -> Iterator[schemathesis.BaseSchema]:
    with_keys(settings, WIDGET, AGENT, ADMIN, SECRET, unlimited=True)
    knowledge.get().ingestor.run([sample_kb])
    app = create_app(settings, knowledge, FakeChat(default=GIFT))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)  # (starts the app's lifespan)
    asgi.shutdown_lifespans()  # the app's lifespan closes its stores before tmp_path goes


@pytest.fixture
def seen() -> Iterator[Counter[tuple[str, int]]]:
    """(operation, status) of every fuzzed request; checked once the run is over."""
    counts: Counter[tuple[str, int]] = Counter()
    yield counts
    total = sum(counts.values())
    statuses = Counter(status for _, status in counts.elements())
    print(f"\nfuzzed {total} requests over {len({op for op, _ in counts})} operations: "
          f"{dict(sorted(statuses.items()))}")
    assert total and not [status for status in statuses if status >= 500]


def send(case: schemathesis.Case, key: str, seen: Counter[tuple[str, int]]) -> None:
    """The case as ``key`` (an anonymous visitor unless it names someone), validated."""
    headers: dict[str, Any] = {**(case.headers or {}), "X-API-Key": key}
    if not any(name.lower() in IDENTITY for name in headers):
        headers["X-Visitor-Id"] = "fuzz-visitor"
    case.headers = headers
    response = case.call_and_validate(checks=CHECKS)
    seen[(case.operation.label, response.status_code)] += 1


def fuzz(schema: schemathesis.BaseSchema, key: str, seen: Counter[tuple[str, int]],
         sign: bool = False) -> None:
    """Every operation of ``schema``, with valid and then invalid data, on the budget; all
    failures of all operations reported together."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes(operation):

            @BUDGET
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: schemathesis.Case) -> None:
                if sign:
                    sign_some(case)
                send(case, key, seen)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # all reported below
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)


def modes(operation: schemathesis.APIOperation) -> list[GenerationMode]:
    """Valid data, and invalid data where the operation takes any input."""
    inputs = operation.body or any(operation.iter_parameters())
    return [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if inputs else [])


def sign_some(case: schemathesis.Case) -> None:
    """A valid token for half the customers a case names, so signed-in requests get past the
    token check too (the other half test the check)."""
    customer = (case.headers or {}).get("x-customer-id")  # as the document names it
    if isinstance(customer, str) and len(customer) % 2:
        case.headers = {**(case.headers or {}),
                        "x-customer-token": sign_customer(SECRET, customer)}


def test_every_operation_as_admin(api_schema: schemathesis.BaseSchema,
                                  seen: Counter[tuple[str, int]]) -> None:
    fuzz(api_schema, ADMIN, seen)
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert {op for op, _ in seen} == labels and len(labels) == 18


def test_widget_operations_as_widget(api_schema: schemathesis.BaseSchema,
                                     seen: Counter[tuple[str, int]]) -> None:
    fuzz(api_schema.include(path_regex=WIDGET_PATHS), WIDGET, seen, sign=True)
    assert len({op for op, _ in seen}) == 4
