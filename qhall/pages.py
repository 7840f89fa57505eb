"""The pages of each hall, listed once for the home page and for `qhall serve` to print."""

from __future__ import annotations

# (Chinese label, English label, path with {unit}); each part adds its pages here.
UNIT_PAGES = [
    ("业务与等候", "Services", "/api/units/{unit}/services"),
    ("实时概况", "Snapshot", "/api/units/{unit}/snapshot"),
]
SITE_PAGES = [
    ("首页", "Home", "/"),
    ("健康检查", "Health", "/healthz"),
    ("接口文档", "OpenAPI", "/api/openapi.json"),
]


def unit_pages(unit_code: str) -> list[tuple[str, str, str]]:
    """Return (zh, en, path) of every page of one hall."""
    return [(zh, en, path.format(unit=unit_code)) for zh, en, path in UNIT_PAGES]
