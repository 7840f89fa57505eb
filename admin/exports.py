"""The ledger as files: CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese)
and XLSX. Both hold the same table as the page (qhall.ledger_table), headed by the
unit and the period."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from qhall.ledger_table import COLUMNS, ledger_table

GROUPS = {
    "unit": "单位 Unit",
    "service": "业务 Service",
    "window": "窗口 Window",
    "staff": "人员 Staff",
}


def heading(report: dict) -> list[list[str]]:
    """Return the lines above the table: the title, the scope, the period, the grouping."""
    return [
        ["窗口服务台账 / Service ledger"],
        ["单位 / Unit", f"{report['scope']} / {report['scope_en']}", report["unit"] or "ALL"],
        ["统计期间 / Period", report["start"], report["end"]],
        ["统计维度 / Grouped by", GROUPS[report["by"]]],
        ["生成时间 / Generated (UTC)", report["at"]],
        [],
    ]


def header_row() -> list[str]:
    """Return the table's column names in both languages."""
    return [f"{zh} / {en}" for _name, zh, en in COLUMNS]


def csv_bytes(report: dict) -> bytes:
    """Return the ledger as a CSV file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(heading(report))
    writer.writerow(header_row())
    writer.writerows([["" if v is None else v for v in line] for line in ledger_table(report)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(report: dict) -> bytes:
    """Return the ledger as an XLSX workbook with one sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "台账 Ledger"
    for line in heading(report):
        sheet.append(line)
    sheet.append(header_row())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in ledger_table(report):
        sheet.append(line)
    sheet[sheet.max_row][0].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    sheet.freeze_panes = sheet.cell(row=len(heading(report)) + 2, column=2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
