import csv
import io
import json
from pathlib import Path

from cxrag.ingest.tickets import load_ticket_export, redact

TICKET = {
    "id": "TK-1", "customer_id": "C0007", "channel": "email", "subject": "Reembolso no llega",
    "language": "es", "status": "solved", "priority": "normal", "category": "refunds",
    "product": "luma-cam", "tags": ["refunds"], "csat": 5,
    "created_at": "2026-08-01T10:00:00Z", "updated_at": "2026-08-02T10:00:00Z",
    "messages": [
        {"author": "customer", "name": "Lucía Pérez", "time": "2026-08-01T10:00:00Z",
         "body": "Hola, soy Lucía Pérez (lucia@example.com, +34 612 345 678). Devolví el "
                 "pedido TL-ES-2026-004512 y no veo el reembolso."},
        {"author": "agent", "name": "Marta", "time": "2026-08-01T11:00:00Z", "body": "Lo miro."},
    ],
    "resolution": "El reembolso se emite en 5-7 días hábiles tras recibir la devolución.",
}


def test_resolved_ticket_becomes_redacted_knowledge(tmp_path: Path) -> None:
    open_ticket = {**TICKET, "id": "TK-2", "status": "open", "resolution": None}
    raw = "\n".join(json.dumps(t) for t in (TICKET, open_ticket)).encode()
    docs, failures = load_ticket_export(tmp_path / "t.jsonl", raw, ["es", "en"])
    assert failures == [] and len(docs) == 1
    doc = docs[0]
    assert doc.doc_id == "ticket/TK-1" and doc.doc_type == "ticket"
    assert doc.private == {"customer_id": "C0007", "ticket_id": "TK-1"}
    text = doc.text + doc.title
    for secret in ("Lucía", "Pérez", "lucia@example.com", "612 345 678", "TL-ES-2026-004512",
                   "C0007"):
        assert secret not in text
    assert "5-7 días hábiles" in text
    assert set(doc.tags) == {"refunds"} and doc.product == "luma-cam"


def test_csv_export_and_bad_rows_are_reported(tmp_path: Path) -> None:
    buf = io.StringIO()
    fields = ["id", "customer_id", "subject", "language", "messages", "tags", "status",
              "resolution"]
    writer = csv.DictWriter(buf, fieldnames=fields)
    writer.writeheader()
    writer.writerow({"id": "TK-9", "customer_id": "C1", "subject": "Where is my order",
                     "language": "en", "messages": json.dumps(TICKET["messages"]),
                     "tags": "shipping;delay", "status": "closed",
                     "resolution": "Carrier delay; delivered next day."})
    writer.writerow({"id": "TK-10", "customer_id": "C1", "subject": "x", "language": "en",
                     "messages": "{not json", "tags": "", "status": "solved",
                     "resolution": "done"})
    docs, failures = load_ticket_export(tmp_path / "t.csv", buf.getvalue().encode(), ["en"])
    assert [d.doc_id for d in docs] == ["ticket/TK-9"]
    assert docs[0].tags == ["delay", "shipping"]
    assert len(failures) == 1 and failures[0].source.endswith("t.csv:3")


def test_redact_keeps_policy_numbers() -> None:
    assert redact("Tienes 30 días y pagas 4,95 €", set()) == "Tienes 30 días y pagas 4,95 €"
