"""widget.js and the demo pages: caching, size, language, and documents shown as text."""

import gzip
import re
from pathlib import Path

from fastapi.testclient import TestClient

from cxrag.api.routes.widget import STATIC
from tests.widget.conftest import WIDGET

GZIP_BUDGET = 12 * 1024


def test_widget_js_is_small_cached_and_revalidated(client: TestClient) -> None:
    resp = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/javascript")
    assert resp.headers["content-encoding"] == "gzip"
    assert "max-age=300" in resp.headers["cache-control"]
    assert resp.headers["access-control-allow-origin"] == "*"
    etag = resp.headers["etag"]
    assert client.get("/widget.js", headers={"Accept-Encoding": "gzip",
                                             "If-None-Match": etag}).status_code == 304
    plain = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["etag"] != etag
    assert plain.content == (STATIC / "widget.js").read_bytes()
    assert len(gzip.compress(plain.content, 9)) < GZIP_BUDGET


def test_widget_js_never_parses_html() -> None:
    """Model and document text only ever become text nodes: no HTML-parsing sinks at all."""
    source = (STATIC / "widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "srcdoc"):
        assert sink not in source, sink


def test_the_demo_page_follows_the_language_and_embeds_the_widget(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert re.search(rf'<script src="/widget.js" defer data-key="{WIDGET}"', page.text)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/", headers={"If-None-Match": page.headers["etag"],
                                    "Accept-Language": "en"}).status_code == 304
    assert '<html lang="es">' in client.get("/?lang=es").text
    assert '<html lang="es">' in client.get("/").text  # Tiendalia's default
    assert client.get("/assets/demo.css").headers["content-type"].startswith("text/css")
    assert client.get("/assets/page.html").status_code == 404
    assert client.get("/assets/..%2Fwidget.py").status_code == 404


def test_help_articles_show_documents_as_text(client: TestClient) -> None:
    page = client.get("/help/en/gift-cards")
    assert page.status_code == 200 and "<h1>Gift cards</h1>" in page.text
    assert page.text.count("Gift cards never expire") == 1
    evil = client.get("/help/en/warehouse-notes").text
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in evil
    assert "<script>window" not in evil and "<img src=x" not in evil
    assert "&lt;img src=x onerror=" in evil
    assert client.get("/help/en/nothing-here").status_code == 404
    assert client.get("/help/../../etc/passwd").status_code == 404


def test_help_pages_never_show_past_tickets(client: TestClient, tmp_path: Path) -> None:
    export = tmp_path / "tickets" / "tickets.jsonl"
    export.parent.mkdir()
    export.write_text('{"id": "TK-1", "customer_id": "C0007", "subject": "Refund", '
                      '"status": "solved", "language": "en", "messages": [{"author": '
                      '"customer", "body": "Where is my refund for order T-1042?"}], '
                      '"resolution": "Refunded to the card in 5 days."}\n', encoding="utf-8")
    knowledge = client.app.state.knowledge  # type: ignore[attr-defined]
    knowledge.get().ingestor.run([export.parent])
    ids = [c.doc_id for batch in knowledge.get().catalog.iter_chunks() for c in batch
           if c.doc_type == "ticket"]
    assert ids
    assert client.get(f"/help/{ids[0]}").status_code == 404
