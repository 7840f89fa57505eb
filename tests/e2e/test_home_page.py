"""The home page in a real browser: the halls are listed, in Chinese first."""

from tests.e2e.conftest import screenshot


def test_home_page_lists_the_demo_halls(live_server, page):
    page.goto(live_server.base_url + "/")
    assert "欢迎使用" in page.text_content("h1")
    halls = page.locator("li strong").all_text_contents()
    assert "市民政局政务服务大厅" in halls and len(halls) == 3
    screenshot(page, "home")
