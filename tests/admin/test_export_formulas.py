"""Text a manager, a clerk or a visitor typed never becomes a formula in an export: a hall
named "=1+1" or a matter "@SUM(A1)" is text in the CSV (after an apostrophe, as OWASP
advises) and in the XLSX (a text cell with Excel's apostrophe), while numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from admin.exports import write_csv, write_xlsx
from qhall.models import Inquiry, Unit

NOVEMBER = "from=2026-11-01&to=2026-11-30&unit=T"
HALL_NAME, MATTER, ORGANISATION, VISITOR = "=1+1", "@SUM(A1)", "+cmd", "  -2+3"


@pytest.fixture
def typed_formulas(bureau):
    """Hall T renamed by its manager to a formula, and an inquiry whose words are formulas."""
    Unit.update(name_zh=HALL_NAME).where(Unit.id == bureau["T"].id).execute()
    Inquiry.create(
        unit=bureau["T"], owner=bureau["clerk"], visitor_name=VISITOR, organisation=ORGANISATION,
        matter=MATTER, visits=3, created_at=datetime(2026, 11, 26, 1, 5),
    )  # fmt: skip


def csv_cells(client, path: str) -> list[list[str]]:
    answer = client.get(path)
    assert answer.status_code == 200
    return list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"))))


def xlsx_cells(client, path: str) -> list:
    answer = client.get(path)
    assert answer.status_code == 200
    return [cell for row in load_workbook(io.BytesIO(answer.get_data())).active.iter_rows()
            for cell in row]  # fmt: skip


def assert_text_not_formula(cell, typed: str) -> None:
    """The XLSX cell holds what was typed as text, marked with Excel's apostrophe."""
    assert cell.value == typed and cell.data_type == "s" and cell.quotePrefix


@pytest.mark.usefixtures("typed_formulas")
def test_a_register_export_keeps_typed_formulas_as_text(as_user):
    client = as_user("boss-t")
    rows = csv_cells(client, f"/admin/registers/inquiries.csv?{NOVEMBER}")
    row = next(r for r in rows if "'" + MATTER in r)
    assert {"'" + HALL_NAME, "'" + MATTER, "'" + ORGANISATION, "'" + VISITOR} <= set(row)
    assert not [c for line in rows for c in line if c.lstrip().startswith(("=", "+", "@", "-"))]

    cells = xlsx_cells(client, f"/admin/registers/inquiries.xlsx?{NOVEMBER}")
    for typed in (HALL_NAME, MATTER, ORGANISATION, VISITOR):
        assert_text_not_formula(next(c for c in cells if c.value == typed), typed)
    assert not [c for c in cells if c.data_type == "f"]
    visits = cells[[c.value for c in cells].index(MATTER) + 2]  # status, then visits
    assert visits.value == 3 and visits.data_type == "n"


@pytest.mark.usefixtures("typed_formulas")
def test_the_ledger_export_keeps_a_hall_named_as_a_formula_as_text(as_user):
    client = as_user("boss-t")
    rows = csv_cells(client, f"/admin/ledger.csv?{NOVEMBER}&by=unit")
    assert any(cell.startswith("'" + HALL_NAME) for line in rows for cell in line)
    cells = xlsx_cells(client, f"/admin/ledger.xlsx?{NOVEMBER}&by=unit")
    named = [c for c in cells if isinstance(c.value, str) and c.value.startswith(HALL_NAME)]
    assert named and all(c.data_type == "s" and c.quotePrefix for c in named)
    assert not [c for c in cells if c.data_type == "f"]


def test_numbers_stay_numbers_and_only_formula_text_is_escaped():
    line = ["=1+1", "@SUM(A1)", "+cmd", " \t=1", "-2", -2, 3.5, 0, "a-b", "text"]
    (row,) = list(csv.reader(io.StringIO(write_csv([], ["h"], [line]).decode("utf-8-sig"))))[1:]
    assert row == ["'=1+1", "'@SUM(A1)", "'+cmd", "' \t=1", "'-2", "-2", "3.5", "0", "a-b", "text"]

    book = write_xlsx("t", [], ["h"], [line])
    cells = list(load_workbook(io.BytesIO(book)).active.iter_rows())[1]
    assert [c.data_type for c in cells] == ["s"] * 5 + ["n"] * 3 + ["s"] * 2
    assert [c.value for c in cells] == line  # what was typed, nothing added or run
    assert [bool(c.quotePrefix) for c in cells] == [True] * 5 + [False] * 5
    # In the file itself: text cells, not one <f> formula; the numbers as numbers.
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and '<c r="F2" t="n"><v>-2</v>' in sheet
