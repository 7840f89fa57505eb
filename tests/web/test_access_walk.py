"""Every route, walked as each role and as nobody: the OpenAPI document says which
operations need a signed-in staff member, and the server must agree; no route answers
anyone with a 500."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, gen_staff, gen_unit

ROLES = [
    "nobody",
    "staff",
    "other_hall_staff",
    "manager",
    "other_hall_manager",
    "admin",
    "inspector",
]
# Who works at no window of hall T: its windows, queue and matters refuse them (403).
NOT_OF_HALL_T = ("other_hall_staff", "other_hall_manager", "inspector")


@pytest.fixture
def halls(app, client):
    gen_unit("T"), gen_unit("U")
    from qhall.models import Unit

    t = Unit.get(Unit.code == "T")
    u = Unit.get(Unit.code == "U")
    gen_staff("staff", t), gen_staff("other_hall_staff", u), gen_staff("manager", t, role="manager")
    gen_staff("other_hall_manager", u, role="manager")
    gen_staff("admin", role="admin"), gen_staff("inspector", role="inspector")
    token = client.post("/api/units/T/tickets", json={"service": "A"}).get_json()["token"]
    return {
        "unit": "T",
        "window": "1",
        "token": token,
        "job_id": "1",
        "message_id": "1",
        "notice": "1",
        "kind": "services",
    }


def as_role(app, role: str):
    client = app.test_client()
    if role != "nobody":
        assert (
            client.post("/api/session", json={"login": role, "password": PASSWORD}).status_code
            == 200
        )
    return client


def operations(client) -> list[tuple[str, str, bool]]:
    """Return each documented operation: its method, path and whether it needs staff."""
    return [
        (method.upper(), path, bool(operation.get("security")))
        for path, operations in client.get("/api/openapi.json").get_json()["paths"].items()
        for method, operation in operations.items()
    ]


def fill(path: str, values: dict) -> str:
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_as_each_role(app, halls, role):
    client = as_role(app, role)
    wrong = []
    for method, path, needs_staff in operations(client):
        if (method, path) == ("DELETE", "/api/session"):
            continue  # signing out would end this walk's session
        url = fill(path, halls)
        response = client.open(url, method=method, json={} if method == "POST" else None)
        status = response.status_code
        if status >= 500:
            wrong.append(f"{method} {url} → {status}")
        elif role == "nobody" and needs_staff and status != 401:
            wrong.append(f"{method} {url} → {status}, but it needs a signed-in staff member")
        elif role in NOT_OF_HALL_T and needs_staff and "/units/T/" in url and status != 403:
            wrong.append(f"{method} {url} → {status} for {role}, who works at no window of T")
        elif role == "staff" and path.startswith("/api/admin/") and status != 403:
            wrong.append(f"{method} {url} → {status} for window staff")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_without_a_server_error(app, halls, role):
    client = as_role(app, role)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or "<path:" in rule.rule:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: halls.get(m.group(1), "1"), rule.rule)
        status = client.get(url).status_code
        assert status < 500, f"GET {url} → {status} as {role}"
