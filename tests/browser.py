"""Fixtures for end-to-end tests: the real production server and a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# Re-exported: tests import the server machinery from here too.
from tests.servers import (  # noqa: F401
    DEMO_KIOSK,
    PROJECT_ROOT,
    LiveServer,
    free_port,
    qhall_command,
    running_server,
    server_env,
    stop,
    wait_until_healthy,
)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Start `qhall serve --demo` on a free port and yield it; stop it afterwards."""
    with running_server(tmp_path_factory.mktemp("qhall-live"), "--demo") as server:
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server's latest output to the report of a failed end-to-end test."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("qhall server output (last lines)", server.output()))
    return report


# --- the browser ---------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium reaches for Google's services at every start, which this
# closed network refuses; a root user in a container needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup installs Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab (its own cookies) at a landscape 1920×1080 screen."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(tab, name: str) -> Path:
    """Save a screenshot under test-artifacts/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path
