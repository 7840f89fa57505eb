"""The pages of each hall, listed once for the home page and for `qhall serve` to print."""

from __future__ import annotations

# (Chinese label, English label, path with {unit}); each part adds its pages here.
UNIT_PAGES = [
    ("业务与等候", "Services", "/api/units/{unit}/services"),
    ("实时概况", "Snapshot", "/api/units/{unit}/snapshot"),
    ("大厅显示屏", "Hall screen", "/display/{unit}"),
    ("窗口屏", "Window screen", "/display/counter/{unit}/1"),
    ("自助取号机", "Kiosk", "/kiosk/{unit}"),
    ("窗口工作台", "Counter", "/counter?unit={unit}"),
    ("评价器", "Rating tablet", "/counter/rate/{unit}/1"),
]
SITE_PAGES = [
    ("首页", "Home", "/"),
    ("健康检查", "Health", "/healthz"),
    ("接口文档", "OpenAPI", "/api/openapi.json"),
    ("管理后台", "Admin", "/admin"),
]


def unit_pages(unit_code: str) -> list[tuple[str, str, str]]:
    """Return (zh, en, path) of every page of one hall."""
    return [(zh, en, path.format(unit=unit_code)) for zh, en, path in UNIT_PAGES]
