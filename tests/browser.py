"""The browser, a pytest plugin (listed in tests/conftest.py): Debian's Chromium, headless,
driven by Playwright, a fresh tab per test, and screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import PROJECT_ROOT

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


# A visitor's phone (390×844, the size of a common one).
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    """A fresh tab on a visitor's phone: touch, a phone's viewport and pixel density."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context.new_page()
    context.close()


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
