"""Reading customer profiles (``customers.json``) and helpdesk ticket exports for the store.

The customers file is a JSON list of customers; each has ``id``, ``name``, ``email``,
``locale``, ``tier``, ``created_at``, ``attributes`` and ``orders`` (``order_id``, ``date``,
``status``, ``currency``, ``total``, ``items``, and extras such as subtotal, carrier and
tracking). Fields without a column of their own (a customer's ``country``, an order's carrier)
are kept in ``attributes``.
Ticket exports are JSONL or CSV, one ticket a row (the shape ``TicketRecord.from_export_row``
reads).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cxrag.errors import DocumentParseError, InvalidRequest
from cxrag.store.types import parse_time

_CUSTOMER_FIELDS = {"id", "name", "email", "locale", "tier", "created_at", "attributes", "orders"}
_ORDER_FIELDS = {"order_id", "id", "date", "placed_at", "status", "currency", "total", "items",
                 "attributes"}


@dataclass(frozen=True)
class OrderRow:
    """An order to upsert."""

    id: str
    status: str
    total: Decimal | None = None
    currency: str | None = None
    placed_at: datetime | None = None
    items: list[Any] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerRow:
    """A customer profile to upsert, with its orders."""

    id: str
    name: str
    email: str | None = None
    locale: str | None = None
    tier: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    orders: list[OrderRow] = field(default_factory=list)


def money(value: Any, field_name: str = "total") -> Decimal | None:
    """An amount as a Decimal (floats go through their shortest text form, so 79.99 stays)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise DocumentParseError(f"{field_name}: {value!r} is not an amount") from exc


def read_customers(path: Path) -> list[CustomerRow]:
    """Every customer of a ``customers.json`` file, orders included."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentParseError(f"{path.name}: cannot read customers ({exc})") from exc
    if isinstance(data, dict) and isinstance(data.get("customers"), list):
        data = data["customers"]
    if not isinstance(data, list):
        raise DocumentParseError(f"{path.name}: expected a JSON list of customers")
    try:
        return [_customer(path, n, obj) for n, obj in enumerate(data)]
    except InvalidRequest as exc:
        raise DocumentParseError(f"{path.name}: {exc.detail}") from exc


def _customer(path: Path, n: int, obj: Any) -> CustomerRow:
    if not isinstance(obj, dict) or not obj.get("id") or not obj.get("name"):
        raise DocumentParseError(f"{path.name}: customer #{n} needs an 'id' and a 'name'")
    extras = {k: v for k, v in obj.items() if k not in _CUSTOMER_FIELDS}
    orders = obj.get("orders") or []
    if not isinstance(orders, list):
        raise DocumentParseError(f"{path.name}: customer {obj['id']}: 'orders' is not a list")
    return CustomerRow(
        id=str(obj["id"]), name=str(obj["name"]), email=obj.get("email") or None,
        locale=obj.get("locale") or None, tier=obj.get("tier") or None,
        attributes={**extras, **(obj.get("attributes") or {})},
        created_at=parse_time(obj.get("created_at"), "created_at"),
        orders=[_order(path, obj["id"], o) for o in orders],
    )


def _order(path: Path, customer_id: str, obj: Any) -> OrderRow:
    order_id = obj.get("order_id") or obj.get("id") if isinstance(obj, dict) else None
    if not order_id or not isinstance(obj, dict):
        raise DocumentParseError(f"{path.name}: customer {customer_id}: an order has no id")
    extras = {k: v for k, v in obj.items() if k not in _ORDER_FIELDS}
    return OrderRow(
        id=str(order_id), status=str(obj.get("status") or "unknown"),
        total=money(obj.get("total")), currency=obj.get("currency") or None,
        placed_at=parse_time(obj.get("date") or obj.get("placed_at"), "date"),
        items=list(obj.get("items") or []),
        attributes={**extras, **(obj.get("attributes") or {})},
    )


TICKET_EXPORTS = (".jsonl", ".csv")


def read_ticket_rows(path: Path) -> list[dict[str, Any]]:
    """Every row of a JSONL or CSV ticket export, as a dict."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentParseError(f"{path.name}: cannot read tickets ({exc})") from exc
    if path.suffix.lower() == ".csv":
        return [dict(row) for row in csv.DictReader(io.StringIO(text))]
    rows: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DocumentParseError(f"{path.name}:{n}: invalid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise DocumentParseError(f"{path.name}:{n}: not a JSON object")
        rows.append(row)
    return rows
