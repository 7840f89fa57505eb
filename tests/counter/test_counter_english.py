"""The window client in English: the page the server draws shows no Chinese outside the
Chinese half of its bilingual text (the 中文 button aside), its lists included."""

from __future__ import annotations

import re
from html.parser import HTMLParser

CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}


class EnglishReader(HTMLParser):
    """Collect the Chinese an English reader would see: text outside lang="zh-CN", scripts
    and the title, and Chinese in placeholders, labels and titles."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, bool]] = []
        self.seen: list[str] = []

    def hidden(self) -> bool:
        return any(hide for _tag, hide in self.open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("placeholder", "aria-label", "title"):
            if CJK.search(attrs.get(name) or "") and not self.hidden():
                self.seen.append(attrs[name])
        if tag not in VOID:
            hide = (attrs.get("lang") or "").startswith("zh") or tag in ("script", "style", "title")
            self.open.append((tag, hide or "data-lang-choice" in attrs))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if CJK.search(data) and not self.hidden():
            self.seen.append(data.strip())


def test_the_counter_page_in_english_has_no_chinese_left(staff_client):
    html = staff_client.get("/counter?unit=T&lang=en").get_data(as_text=True)
    reader = EnglishReader()
    reader.feed(html)
    assert reader.seen == []
    assert "Window 1 · Window 1" in html  # the window list in English


def test_the_lists_keep_both_languages_for_the_language_button(staff_client):
    html = staff_client.get("/counter?unit=T").get_data(as_text=True)
    assert 'data-zh="1号窗口 · 1号窗口" data-en="Window 1 · Window 1">1号窗口 · 1号窗口<' in html
