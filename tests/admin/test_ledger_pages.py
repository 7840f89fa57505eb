"""The ledger page, and its CSV and XLSX exports holding the same numbers as the page."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from openpyxl import load_workbook

from qhall import queue, windows
from tests.factories import gen_staff


class TableReader(HTMLParser):
    """Collect the cells of the page's #ledger-table, as text."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_table, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "ledger-table") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _a_morning(bureau, clock):
    clerk = bureau["clerk"]
    for _ in range(3):
        queue.issue_ticket("T", "A", now=clock.now())
    windows.open_counter("T", 1, staff_id=clerk.id, now=clock.now())
    for _ in range(3):  # each visitor comes and is served; calling next finishes the last
        clock.advance(minutes=7)
        queue.call_next("T", 1, staff_id=clerk.id, now=clock.now())
        queue.start("T", 1, staff_id=clerk.id, now=clock.advance(seconds=40))
    clock.advance(minutes=5)
    queue.finish("T", 1, staff_id=clerk.id, now=clock.now())


def _numbers(cells):
    return [None if c in ("", None) else float(c) for c in cells]


def test_the_exports_hold_the_same_numbers_as_the_page(as_user, bureau, clock):
    _a_morning(bureau, clock)
    boss = as_user("boss-t")
    query = "?from=2026-11-01&to=2026-11-30&by=window"
    page = boss.get("/admin/ledger" + query)
    assert page.status_code == 200
    reader = TableReader()
    reader.feed(page.get_data(as_text=True))
    header, *lines = reader.rows
    assert len(lines) == 2  # window 1, then the total
    assert lines[-1][0] == "合计 / Total" and lines[-1][1:4] == ["3", "3", "0"]  # all served

    answer = boss.get("/admin/ledger.csv" + query)
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    assert "T_2026-11-01_2026-11-30_window.csv" in disposition
    text = answer.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == "T" and rows[2][1:] == ["2026-11-01", "2026-11-30"]
    table = rows[rows.index(next(r for r in rows if r and r[0] == "分组 / Group")) + 1 :]
    assert [r[0] for r in table] == [line[0] for line in lines]
    for csv_line, page_line in zip(table, lines, strict=True):
        assert _numbers(csv_line[1:]) == _numbers(page_line[1:])

    answer = boss.get("/admin/ledger.xlsx" + query)
    assert "T_2026-11-01_2026-11-30_window.xlsx" in answer.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(answer.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][2] == "T" and list(values[2][1:3]) == ["2026-11-01", "2026-11-30"]
    start = next(i for i, r in enumerate(values) if r[0] == "分组 / Group") + 1
    for xlsx_line, page_line in zip(values[start:], lines, strict=True):
        assert xlsx_line[0] == page_line[0]
        assert _numbers(xlsx_line[1:]) == _numbers(page_line[1:])


def test_the_ledger_page_names_its_period_and_links_the_charts_library(as_user, bureau, clock):
    page = as_user("admin").get("/admin/ledger?unit=T&month=2026-11").get_data(as_text=True)
    assert "2026-11-01 — 2026-11-30" in page
    assert "/vendor/chart.umd.min.js" in page
    assert re.search(r"<script>(?!</script>)", page) is None  # no inline script
    assert as_user("admin").get("/vendor/chart.umd.min.js").status_code == 200


def test_the_printable_summary_proposes_the_best_window(as_user, bureau, clock):
    gen_staff("boss", bureau["T"], role="manager")
    _a_morning(bureau, clock)
    page = (
        as_user("admin")
        .get("/admin/summary?unit=T&from=2026-11-26&to=2026-11-26")
        .get_data(as_text=True)
    )
    assert "窗口服务工作总结与表彰报告" in page
    assert "本期共取号 3 张，办结 3 件" in page


def test_the_ledger_form_left_blank_shows_this_month_of_the_managers_hall(as_user, bureau, clock):
    _a_morning(bureau, clock)
    # The page's filter form sends every field, the unused ones empty.
    page = as_user("boss-t").get("/admin/ledger?unit=&from=&to=&month=&by=&service=&window=&staff=")
    assert page.status_code == 200
    reader = TableReader()
    reader.feed(page.get_data(as_text=True))
    assert reader.rows[-1][:2] == ["合计 / Total", "3"]
    assert "2026-11-01" in page.get_data(as_text=True)


def test_a_report_period_or_window_that_cannot_be_is_a_polite_400(as_user, bureau):
    boss = as_user("boss-t")
    for query in ("year=0", "year=abc", "month=11-2026", "from=2026-13-01", "window=abc", "by=day"):
        answer = boss.get(f"/api/admin/ledger?unit=T&{query}")
        assert answer.status_code == 400, (query, answer.get_json())
        assert answer.get_json()["message"], query
        page = boss.get(f"/admin/ledger?unit=T&{query}")
        assert page.status_code == 400, query
