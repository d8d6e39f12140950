#!/usr/bin/env python3
"""Validate the sample knowledge base (articles, tickets, customers, retrieval evals).

Usage: ``.venv/bin/python scripts/knowledge/check_knowledge.py``  (exit code 1 on errors)

Checks:
* article counts per language and format, unique slugs, 250-900 words each,
  Markdown starts with ``# Title`` (after optional YAML front matter),
  HTML has <title>/<h1>/<h2>, PDF/DOCX have extractable text;
* bilingual vs single-language topics (pairs listed in BILINGUAL);
* tickets: JSONL and CSV parse, messages JSON parses, required fields and
  enumerations, customer ids exist, order ids mentioned belong to that customer;
* customers: required fields, 1-6 orders each;
* retrieval evals: relevant ids exist, languages match, cross-lingual targets
  are single-language topics.
"""

from __future__ import annotations

import collections
import csv
import html.parser
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "knowledge" / "articles"
TICKETS = ROOT / "knowledge" / "tickets"
CUSTOMERS = ROOT / "knowledge" / "customers" / "customers.json"
EVALS = ROOT / "evals" / "retrieval"

# topics that exist in both languages: es slug -> en slug
BILINGUAL = {
    "politica-de-devoluciones": "returns-policy",
    "plazos-de-reembolso": "refunds-timeline",
    "plazos-y-costes-de-envio": "shipping-times-and-costs",
    "seguimiento-de-pedidos": "order-tracking",
    "cancelar-o-modificar-pedido": "cancel-or-modify-order",
    "tarjetas-regalo": "gift-cards",
    "metodos-de-pago": "payment-methods",
    "vendedores-marketplace": "marketplace-sellers",
    "seguridad-de-cuenta-y-contrasena": "account-security-and-password",
    "contacto-y-horarios": "contact-and-opening-hours",
    "garantia-de-productos": "warranty-coverage",
    "tiendalia-plus-suscripcion": "tiendalia-plus-membership",
}

CATEGORIES = {"shipping", "returns", "refunds", "payments", "billing_invoices", "account", "product_support",
              "warranty", "loyalty", "marketplace", "order_changes", "complaints"}
CHANNELS = {"email", "web", "whatsapp", "phone", "chat"}
PRIORITIES = {"low", "normal", "high", "urgent"}
STATUSES = {"solved", "closed", "open", "pending"}
AUTHORS = {"customer", "agent", "system"}
TICKET_FIELDS = ["id", "customer_id", "channel", "created_at", "updated_at", "subject", "language", "messages", "tags",
                 "category", "product", "priority", "status", "resolution", "csat"]

errors: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.tags = collections.Counter()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        if tag in ("nav", "footer", "script", "style", "header"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("nav", "footer", "script", "style", "header"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def article_text(path: Path) -> str:
    ext = path.suffix
    if ext in (".md", ".txt"):
        text = path.read_text(encoding="utf-8")
        if ext == ".md":
            if text.startswith("---\n"):
                end = text.index("\n---\n", 4)
                text = text[end + 5:]
            if not text.lstrip().startswith("# "):
                err(f"{path}: markdown must start with '# Title'")
        return text
    if ext == ".html":
        p = _Text()
        p.feed(path.read_text(encoding="utf-8"))
        for tag in ("title", "h1", "h2", "nav", "footer"):
            if not p.tags[tag]:
                err(f"{path}: missing <{tag}>")
        return " ".join(p.parts)
    if ext == ".pdf":
        from pdfminer.high_level import extract_text

        return extract_text(str(path))
    if ext == ".docx":
        from docx import Document

        doc = Document(str(path))
        styles = {p.style.name for p in doc.paragraphs}
        if not {"Heading 1", "Heading 2"} <= styles:
            err(f"{path}: DOCX lacks Heading 1/Heading 2 styles")
        return "\n".join(p.text for p in doc.paragraphs)
    err(f"{path}: unexpected extension")
    return ""


def check_articles() -> dict[str, str]:
    ids: dict[str, str] = {}
    slugs = collections.Counter()
    fmt = collections.Counter()
    for path in sorted(ARTICLES.rglob("*")):
        if not path.is_file():
            continue
        lang = path.parent.name
        if lang not in ("es", "en") or path.parent.parent != ARTICLES:
            err(f"{path}: must live in knowledge/articles/es or /en")
            continue
        slug = path.stem
        slugs[slug] += 1
        doc_id = f"{lang}/{slug}"
        ids[doc_id] = path.suffix[1:]
        fmt[(lang, path.suffix[1:])] += 1
        words = len(article_text(path).split())
        if not 250 <= words <= 960:  # PDF extraction adds running headers/footers
            err(f"{doc_id}: {words} words (expected 250-900)")
    for slug, n in slugs.items():
        if n > 1:
            err(f"slug {slug!r} is used {n} times")

    es = {i.split("/")[1] for i in ids if i.startswith("es/")}
    en = {i.split("/")[1] for i in ids if i.startswith("en/")}
    for es_slug, en_slug in BILINGUAL.items():
        if es_slug not in es or en_slug not in en:
            err(f"bilingual pair {es_slug} / {en_slug} incomplete")
    es_only = es - set(BILINGUAL)
    en_only = en - set(BILINGUAL.values())
    if len(es_only) < 16 or len(en_only) < 16:
        err(f"single-language topics: es {len(es_only)}, en {len(en_only)} (need 16 each)")
    totals = collections.Counter()
    for (lang, ext), n in fmt.items():
        totals[ext] += n
    need = {"html": 8, "pdf": 6, "docx": 6, "txt": 2}
    for ext, n in need.items():
        if totals[ext] < n:
            err(f"only {totals[ext]} .{ext} articles (need {n})")
    if len(ids) < 46:
        err(f"only {len(ids)} articles (need 46)")
    print(f"articles: {len(ids)} (es {len(es)}, en {len(en)}); bilingual topics {len(BILINGUAL)}, "
          f"es-only {len(es_only)}, en-only {len(en_only)}")
    print("  formats:", ", ".join(f"{lang}/{ext}={n}" for (lang, ext), n in sorted(fmt.items())),
          "| totals:", dict(totals))
    return ids


def check_customers() -> dict[str, dict]:
    data = json.loads(CUSTOMERS.read_text(encoding="utf-8"))
    out = {}
    order_ids = set()
    for c in data:
        for k in ("id", "name", "email", "locale", "country", "tier", "created_at", "attributes", "orders"):
            if k not in c:
                err(f"customer {c.get('id')}: missing {k}")
        if c["locale"] not in ("es-ES", "es-MX", "en-US") or c["tier"] not in ("standard", "plus", "business"):
            err(f"customer {c['id']}: bad locale/tier")
        if not 1 <= len(c["orders"]) <= 6:
            err(f"customer {c['id']}: {len(c['orders'])} orders (expected 1-6)")
        for o in c["orders"]:
            if o["order_id"] in order_ids:
                err(f"duplicate order id {o['order_id']}")
            order_ids.add(o["order_id"])
            if o["status"] not in ("delivered", "shipped", "processing", "cancelled", "returned"):
                err(f"{o['order_id']}: bad status")
            if o["order_id"] != f"TL-{c['country']}-{o['date'][:4]}-{o['order_id'][-6:]}":
                err(f"{o['order_id']}: id does not match country {c['country']} / order year")
            if o["date"] < c["created_at"]:
                err(f"{o['order_id']}: order placed before the customer account was created")
            s = round(sum(i["qty"] * i["unit_price"] for i in o["items"]), 2)
            if abs(s + o.get("shipping", 0) + o.get("tax", 0) - o["total"]) > 0.011:
                err(f"{o['order_id']}: total mismatch")
        out[c["id"]] = c
    if len(out) < 24:
        err(f"only {len(out)} customers (need 24)")
    print(f"customers: {len(out)}, orders: {len(order_ids)}")
    return out


def _check_ticket(t: dict, customers: dict, where: str) -> None:
    for k in TICKET_FIELDS:
        if k not in t:
            err(f"{where} {t.get('id')}: missing {k}")
    c = customers.get(t["customer_id"])
    if c is None:
        err(f"{where} {t['id']}: unknown customer {t['customer_id']}")
        return
    if t["channel"] not in CHANNELS or t["category"] not in CATEGORIES or t["priority"] not in PRIORITIES \
            or t["status"] not in STATUSES or t["language"] not in ("es", "en"):
        err(f"{where} {t['id']}: bad enumeration value")
    if not (2 <= len(t["messages"]) <= 7):
        err(f"{where} {t['id']}: {len(t['messages'])} messages")
    prev = ""
    for m in t["messages"]:
        if m["author"] not in AUTHORS or not m["body"] or "{" in m["body"]:
            err(f"{where} {t['id']}: bad message")
        if m["time"] < prev:
            err(f"{where} {t['id']}: messages out of order")
        prev = m["time"]
    if t["created_at"] != t["messages"][0]["time"] or t["updated_at"] < prev:
        err(f"{where} {t['id']}: created/updated inconsistent with messages")
    resolved = t["status"] in ("solved", "closed")
    if resolved != (t["resolution"] is not None):
        err(f"{where} {t['id']}: resolution/status mismatch")
    if not resolved and t["csat"] is not None:
        err(f"{where} {t['id']}: csat on unresolved ticket")
    if t["csat"] is not None and not 1 <= int(t["csat"]) <= 5:
        err(f"{where} {t['id']}: csat out of range")
    own = {o["order_id"] for o in c["orders"]}
    text = " ".join(m["body"] for m in t["messages"]) + " " + t["subject"]
    for oid in set(re.findall(r"TL-(?:ES|MX|US)-20\d\d-\d{6}", text)):
        if oid not in own:
            err(f"{where} {t['id']}: mentions order {oid} not owned by {c['id']}")


def check_tickets(customers: dict) -> None:
    tickets = []
    with (TICKETS / "tickets-2026-q3.jsonl").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                t = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"q3 line {n}: {e}")
                continue
            if not t["created_at"].startswith(("2026-07", "2026-08", "2026-09")):
                err(f"q3 {t['id']}: created_at outside Q3")
            _check_ticket(t, customers, "q3")
            tickets.append(t)
    n_q3 = len(tickets)
    with (TICKETS / "tickets-2026-q2.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != TICKET_FIELDS:
            err(f"q2 csv columns {reader.fieldnames}")
        for row in reader:
            try:
                row["messages"] = json.loads(row["messages"])
            except json.JSONDecodeError as e:
                err(f"q2 {row['id']}: messages JSON: {e}")
                continue
            row["tags"] = row["tags"].split(";") if row["tags"] else []
            row["resolution"] = row["resolution"] or None
            row["csat"] = int(row["csat"]) if row["csat"] else None
            row["product"] = row["product"] or None
            if not row["created_at"].startswith(("2026-04", "2026-05", "2026-06")):
                err(f"q2 {row['id']}: created_at outside Q2")
            _check_ticket(row, customers, "q2")
            tickets.append(row)
    ids = collections.Counter(t["id"] for t in tickets)
    for i, n in ids.items():
        if n > 1:
            err(f"duplicate ticket id {i}")
    if len(tickets) < 160:
        err(f"only {len(tickets)} tickets (need 160)")
    lang = collections.Counter(t["language"] for t in tickets)
    status = collections.Counter(t["status"] for t in tickets)
    resolved = status["solved"] + status["closed"]
    print(f"tickets: {len(tickets)} (q3 jsonl {n_q3}, q2 csv {len(tickets) - n_q3}); languages {dict(lang)}; "
          f"status {dict(status)} -> {resolved / len(tickets):.0%} resolved; "
          f"categories {len({t['category'] for t in tickets})}; customers referenced {len({t['customer_id'] for t in tickets})}")


def check_evals(ids: dict[str, str]) -> None:
    es = {i.split("/")[1] for i in ids if i.startswith("es/")}
    en = {i.split("/")[1] for i in ids if i.startswith("en/")}
    single = {f"es/{s}" for s in es - set(BILINGUAL)} | {f"en/{s}" for s in en - set(BILINGUAL.values())}
    for name, cross in (("crosslingual.jsonl", True), ("samelingual.jsonl", False)):
        rows = []
        with (EVALS / name).open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    err(f"{name} line {n}: {e}")
        seen = set()
        directions = collections.Counter()
        for r in rows:
            if r["id"] in seen:
                err(f"{name}: duplicate id {r['id']}")
            seen.add(r["id"])
            for rel in r["relevant"]:
                if rel not in ids:
                    err(f"{name} {r['id']}: unknown article {rel}")
                if rel[:2] != r["doc_language"]:
                    err(f"{name} {r['id']}: doc_language mismatch")
                if cross and rel not in single:
                    err(f"{name} {r['id']}: {rel} exists in both languages")
            if cross != (r["query_language"] != r["doc_language"]):
                err(f"{name} {r['id']}: query/doc language pairing wrong")
            directions[f"{r['query_language']}->{r['doc_language']}"] += 1
        print(f"{name}: {len(rows)} queries {dict(directions)}")
        if cross and (directions["es->en"] < 20 or directions["en->es"] < 20):
            err("crosslingual.jsonl needs at least 20 queries in each direction")


def main() -> int:
    ids = check_articles()
    customers = check_customers()
    check_tickets(customers)
    check_evals(ids)
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  -", e)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
