"""The site-wide routes through the real app: health, the home page, the OpenAPI document,
and clear errors for people and programs alike."""

from __future__ import annotations

import re

from tests.factories import assert_error


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_index_page_lists_the_halls(client, two_halls):
    page = client.get("/").get_data(as_text=True)
    assert "测试大厅T" in page and "/api/units/T/snapshot" in page


def test_openapi_documents_every_api_route(app, client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    from counter.api import COUNTER_ACTIONS

    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        # Flask's <int:window> and <unit> are OpenAPI's {window} and {unit}.
        path = re.sub(r"<(?:\w+:)?(?!action>)(\w+)>", r"{\1}", rule.rule)
        paths = (
            [path.replace("<action>", action) for action in COUNTER_ACTIONS]
            if "<action>" in path
            else [path]
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for documented_path in paths:
                assert (documented_path, method) in documented, (
                    f"{method} {documented_path} is not in the OpenAPI document"
                )


def test_a_person_gets_a_polite_page_not_json(client, two_halls):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "抱歉" in page and "返回首页" in page
    assert client.get("/kiosk/NOPE", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_malformed_json_and_unknown_routes_are_clear_4xx(client, two_halls):
    malformed = client.post(
        "/api/units/T/tickets", data="{service: A", content_type="application/json"
    )
    assert_error(malformed, 400)
    assert_error(client.get("/api/units/NOPE/services"), 404)
    assert_error(client.get("/api/units/NOPE/snapshot"), 404)
    assert_error(client.get("/api/tickets/unknown"), 404)
    assert_error(client.get("/api/nowhere"), 404)
    assert_error(client.delete("/api/units"), 405)
    assert_error(
        client.post(
            "/api/units/T/tickets", json={"service": "A"}, headers={"Idempotency-Key": "x"}
        ),
        400,
    )
