"""Browsers: a widget key works from its listed origins (CORS) and the service's own pages;
the demo page's key works only over loopback."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from cxrag.settings import Settings
from tests.widget.conftest import AGENT, OPEN_WIDGET, SHOP, WIDGET

CHAT = {"message": "Do gift cards expire?", "visitor_id": "v-1"}


def preflight(client: TestClient, origin: str, path: str = "/v1/chat") -> dict[str, str]:
    resp = client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key"})
    return {"status": str(resp.status_code), **resp.headers}


def test_preflight_is_answered_for_listed_origins_only(client: TestClient) -> None:
    ok = preflight(client, SHOP)
    assert ok["status"] == "204" and ok["access-control-allow-origin"] == SHOP
    assert "x-api-key" in ok["access-control-allow-headers"]
    assert preflight(client, "http://localhost:3000")["status"] == "204"  # listed with a '/'
    feedback = preflight(client, SHOP, "/v1/conversations/c1/messages/7/feedback")
    assert feedback["status"] == "204"
    assert preflight(client, "https://evil.example")["status"] == "204"  # OPEN_WIDGET: '*'


def test_requests_carry_cors_headers_for_their_keys_origins(client: TestClient) -> None:
    resp = client.post("/v1/chat", json=CHAT, headers={"X-API-Key": WIDGET, "Origin": SHOP})
    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == SHOP
    assert resp.headers["vary"] == "Origin"
    with client.stream("POST", "/v1/chat", json={**CHAT, "stream": True},
                       headers={"X-API-Key": WIDGET, "Origin": SHOP}) as streamed:
        assert streamed.headers["access-control-allow-origin"] == SHOP
        assert "event: reply" in "".join(streamed.iter_text())
    anywhere = client.post("/v1/chat", json=CHAT, headers={"X-API-Key": OPEN_WIDGET,
                                                            "Origin": "https://evil.example"})
    assert anywhere.headers["access-control-allow-origin"] == "https://evil.example"


def test_other_origins_get_403_and_no_cors_headers(client: TestClient) -> None:
    evil = {"X-API-Key": WIDGET, "Origin": "https://evil.example"}
    resp = client.post("/v1/chat", json=CHAT, headers=evil)
    assert resp.status_code == 403 and "access-control-allow-origin" not in resp.headers
    assert resp.headers["content-type"] == "application/problem+json"
    assert "not allowed for this key" in resp.json()["detail"]
    assert client.get("/v1/conversations/c1", headers={**evil, "X-Visitor-Id": "v-1"}
                      ).status_code == 403
    # Scheme and port are part of an origin.
    assert client.post("/v1/chat", json=CHAT, headers={
        "X-API-Key": WIDGET, "Origin": "http://shop.example"}).status_code == 403
    # Server-side keys are never used from pages on other origins, even for chat.
    resp = client.post("/v1/chat", json=CHAT, headers={"X-API-Key": AGENT, "Origin": SHOP})
    assert resp.status_code == 403
    # Nothing but the widget endpoints is reachable from another origin.
    resp = client.post("/v1/search", json={"query": "gift"},
                       headers={"X-API-Key": WIDGET, "Origin": SHOP})
    assert resp.status_code == 403 and "widget endpoints" in resp.json()["detail"]
    assert preflight(client, SHOP, "/v1/search")["status"] == "403"
    refused = preflight(client, "https://evil.example", "/v1/ingest")
    assert refused["status"] == "403" and "access-control-allow-origin" not in refused


def test_same_origin_and_server_side_calls_need_no_listing(client: TestClient) -> None:
    same = client.post("/v1/chat", json=CHAT, headers={"X-API-Key": WIDGET,
                                                       "Origin": "http://testserver"})
    assert same.status_code == 200 and "access-control-allow-origin" not in same.headers
    assert client.post("/v1/chat", json=CHAT, headers={"X-API-Key": WIDGET}).status_code == 200


LOOPBACK = {"base_url": "http://127.0.0.1:8080", "client": ("127.0.0.1", 50000)}


def demo_key(client: TestClient) -> str:
    key: str = client.app.state.demo_key  # type: ignore[attr-defined]
    assert key.startswith("demo-")
    return key


def test_the_demo_key_works_over_loopback_from_the_demo_page_only(
        make_client: Callable[..., TestClient]) -> None:
    local = make_client(**LOOPBACK)
    key = demo_key(local)
    assert f'data-key="{key}"' in local.get("/").text
    headers = {"X-API-Key": key, "Origin": "http://127.0.0.1:8080"}
    assert local.post("/v1/chat", json=CHAT, headers=headers).status_code == 200
    # A page of another origin, even on this machine, cannot use it.
    evil = {"X-API-Key": key, "Origin": "http://127.0.0.1:9999"}
    assert local.post("/v1/chat", json=CHAT, headers=evil).status_code in (401, 403)
    # Nor a name that merely resolves here (DNS rebinding).
    rebound = {"X-API-Key": key, "Host": "evil.example:8080"}
    assert local.post("/v1/chat", json=CHAT, headers=rebound).status_code == 401
    # It is a widget key: nothing beyond chat and feedback.
    assert local.get("/v1/feedback/export", headers={"X-API-Key": key}).status_code == 403

    remote = make_client(base_url="http://203.0.113.7:8080", client=("198.51.100.2", 40000))
    assert remote.post("/v1/chat", json=CHAT,
                       headers={"X-API-Key": demo_key(remote)}).status_code == 401
    page = remote.get("/").text
    assert f'data-key="{WIDGET}"' in page and "demo-" not in page


def test_no_demo_without_api_demo(make_client: Callable[..., TestClient],
                                  app_settings: Settings) -> None:
    app_settings.api.demo = False
    local = make_client(**LOOPBACK)
    assert local.app.state.demo_key is None  # type: ignore[attr-defined]
    assert local.get("/").status_code == 404
    assert local.get("/help/en/gift-cards").status_code == 404
    assert local.get("/widget.js").status_code == 200  # host pages still load it
