"""The home page in a real browser: the halls are listed, in Chinese first."""

import pytest

from tests.browser import screenshot

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_home_page_lists_the_demo_halls(live_server, page):
    page.goto(live_server.base_url + "/")
    assert "欢迎使用" in page.inner_text("h1")
    halls = page.locator("li strong").all_inner_texts()
    assert "市民政局政务服务大厅" in halls and len(halls) == 11  # the main hall and ten units
    screenshot(page, "home")
    page.click("text=English")
    assert page.inner_text("h1") == "Welcome to qhall"
    assert "Civil Affairs Bureau Service Hall" in page.locator("li strong").all_inner_texts()
