"""The ledger and the registers as files: CSV (UTF-8 with a byte-order mark, so that Excel
reads the Chinese) and XLSX. Each holds the same table as its page (qhall.ledger_table,
qhall.registers), headed by the unit, the period and when it was made, in the hall's time.

Text that a visitor, a staff member or a manager typed (a hall's code or name too) may begin
with = + - or @, perhaps after spaces, which a spreadsheet would run as a formula. One rule
finds such text (formula_like) for both formats: a CSV file, which has no types, holds it
after an apostrophe, as OWASP advises ("'=1+1"); an XLSX file holds it as a text cell marked
with Excel's own apostrophe (quotePrefix: Excel shows '=1+1 and keeps it text when edited),
so that the cell still reads as the page does. Numbers stay numbers, negative ones too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from qhall.ledger_table import COLUMNS, ledger_table
from qhall.lookups import find_unit
from qhall.words import stamp, unit_timezone

GROUPS = {
    "unit": "单位 Unit",
    "service": "业务 Service",
    "window": "窗口 Window",
    "staff": "人员 Staff",
}
# What a spreadsheet reads as the start of a formula (tab and return too, in a CSV).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- the one writer of each format --------------------------------------------------------


def formula_like(value: object) -> bool:
    """Tell whether a spreadsheet would take this cell for a formula: text (never a number)
    that starts like one, or does after spaces, which Excel and LibreOffice skip."""
    return isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)
    )


def _csv_cell(value) -> object:
    if value is None:
        return ""
    return "'" + value if formula_like(value) else value


def write_csv(heading: list[list], header: list[str], rows: Sequence[Sequence]) -> bytes:
    """Return a CSV file: the heading lines, the header, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([[_csv_cell(v) for v in line] for line in heading])
    writer.writerow(header)
    writer.writerows([[_csv_cell(v) for v in line] for line in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(
    title: str,
    heading: list[list],
    header: list[str],
    rows: Sequence[Sequence],
    *,
    first_width: int = 12,
    bold_last: bool = False,
) -> bytes:
    """Return an XLSX workbook of one sheet: the heading lines, the header in bold, then
    the rows; text is always text, never a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for line in [*heading, header, *rows]:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in line])  # fmt: skip
        for cell in sheet[sheet.max_row]:
            if formula_like(cell.value):
                cell.data_type = "s"  # openpyxl took "=..." for a formula
                cell.quotePrefix = True  # and Excel keeps it text when it is edited
    for cell in sheet[len(heading) + 1]:
        cell.font = Font(bold=True)
    if bold_last and rows:
        sheet[sheet.max_row][0].font = Font(bold=True)
    sheet.column_dimensions["A"].width = first_width
    sheet.freeze_panes = sheet.cell(row=len(heading) + 2, column=2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _generated(at_iso: str, unit_code: str | None) -> str:
    """Return the ledger's UTC moment of making as the hall's time with its zone named,
    "2026-12-01 01:30 (Asia/Shanghai)"; the bureau's zone for the bureau-wide ledger."""
    zone = unit_timezone(find_unit(unit_code) if unit_code else None)
    moment = datetime.fromisoformat(at_iso.replace("Z", "+00:00")).replace(tzinfo=None)
    return stamp(moment, zone, named=True)


# --- the ledger ---------------------------------------------------------------------------


def heading(report: dict) -> list[list[str]]:
    """Return the lines above the table: the title, the scope, the period, the grouping."""
    return [
        ["窗口服务台账 / Service ledger"],
        ["单位 / Unit", f"{report['scope']} / {report['scope_en']}", report["unit"] or "ALL"],
        ["统计期间 / Period", report["start"], report["end"]],
        ["统计维度 / Grouped by", GROUPS[report["by"]]],
        ["生成时间 / Generated", _generated(report["at"], report["unit"])],
        [],
    ]


def header_row() -> list[str]:
    """Return the table's column names in both languages."""
    return [f"{zh} / {en}" for _name, zh, en in COLUMNS]


def csv_bytes(report: dict) -> bytes:
    """Return the ledger as a CSV file."""
    return write_csv(heading(report), header_row(), ledger_table(report))


def xlsx_bytes(report: dict) -> bytes:
    """Return the ledger as an XLSX workbook with one sheet."""
    return write_xlsx("台账 Ledger", heading(report), header_row(), ledger_table(report),
                      first_width=40, bold_last=True)  # fmt: skip


# --- the registers ------------------------------------------------------------------------


def register_heading(table: dict) -> list[list]:
    """Return the lines above a register: its title, scope, period, when it was made and how
    many of its rows the file holds."""
    shown, total = table["shown"], table["total"]
    count = [f"共 {total} 条 / {total} rows"]
    if shown < total:
        count = [f"仅含前 {shown} 条，共 {total} 条，请缩短统计期间 / showing {shown} of {total}: "
                 "choose a shorter period"]  # fmt: skip
    return [
        [f"{table['title']} / {table['title_en']}"],
        ["单位 / Unit", f"{table['scope']} / {table['scope_en']}", table["unit"] or "ALL"],
        ["统计期间 / Period", table["start"], table["end"]],
        ["生成时间 / Generated", f"{table['generated']} ({table['timezone']})"],
        ["条数 / Rows", *count],
        [],
    ]


def register_header(table: dict) -> list[str]:
    """Return a register's column names in both languages."""
    return [f"{c['zh']} / {c['en']}" for c in table["columns"]]


def register_csv(table: dict) -> bytes:
    """Return a register as a CSV file."""
    return write_csv(register_heading(table), register_header(table), table["rows"])


def register_xlsx(table: dict) -> bytes:
    """Return a register as an XLSX workbook with one sheet."""
    return write_xlsx(table["title"], register_heading(table), register_header(table),
                      table["rows"])  # fmt: skip
