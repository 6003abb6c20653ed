"""Writing report tables into a live workbook through xlwings, in place.

A report sheet that otc_xl wrote before (it holds the report's table, e.g. ``tblAgeing``) is
cleared and its table resized and refilled — the table object survives, so PivotTables and
formulas built on it keep working. A sheet of the user's with the same name is never
overwritten. Text that could be taken for a formula is written with Excel's apostrophe prefix.
"""

from __future__ import annotations

import pandas as pd

from ..io.xlsx.writer import RISKY_PREFIXES, cell_value, column_values, messages_report
from ..model.problems import Problem
from ..model.report import MESSAGES_SHEET, NUMBER_FORMATS, ReportSheet


class ForeignSheet(Exception):
    """A sheet with a report's name exists but was not written by otc_xl."""


def _excel_value(value):
    value = cell_value(value)
    if isinstance(value, str) and value.startswith(RISKY_PREFIXES):
        return "'" + value  # Excel stores it as text; the apostrophe is not part of the value
    return value


def _rows(frame: pd.DataFrame) -> list[list]:
    columns = [column_values(frame.iloc[:, j]) for j in range(frame.shape[1])]
    body = [[_excel_value(v) for v in row] for row in zip(*columns)]
    return [list(map(str, frame.columns))] + (body or [[None] * frame.shape[1]])


def write_report(book, report: ReportSheet) -> None:
    """Create or refresh one report sheet and its Excel Table."""
    names = [s.name for s in book.sheets]
    if report.sheet in names:
        sheet = book.sheets[report.sheet]
        table = next((t for t in sheet.tables if t.name == report.table), None)
        if table is None:
            raise ForeignSheet(f"sheet {report.sheet} was not written by otc_xl (it has no table {report.table}); "
                               "rename it so otc_xl can write its report")
        sheet.clear_contents()
    else:
        sheet = book.sheets.add(report.sheet, after=book.sheets[len(names) - 1])
        table = None
    rows = _rows(report.frame)
    target = sheet.range((1, 1)).resize(len(rows), len(rows[0]))
    target.value = rows
    if table is None:
        sheet.tables.add(target, name=report.table)
    else:
        table.resize(target)
    for j, name in enumerate(report.frame.columns, start=1):
        fmt = report.format_of(name)
        if fmt != "text" and len(report.frame):
            sheet.range((2, j)).resize(len(report.frame), 1).number_format = NUMBER_FORMATS[fmt]


def write_messages(book, problems: list[Problem]) -> None:
    """The ``otc_messages`` sheet with every problem, replacing the previous one."""
    write_report(book, messages_report(problems))


def clear_messages(book) -> None:
    if MESSAGES_SHEET in [s.name for s in book.sheets]:
        write_report(book, messages_report([]))


def refresh_pivots(book) -> int | None:
    """Refresh every PivotTable (xlwings ≥ 0.37.3); None where the engine has no pivot support."""
    count = 0
    try:
        for sheet in book.sheets:
            for pivot in sheet.pivot_tables:
                pivot.refresh()
                count += 1
    except (AttributeError, NotImplementedError):
        return None
    return count


def status(book, text: str) -> bool:
    """Show ``text`` in Excel's status bar where the engine has one (desktop); False elsewhere."""
    try:
        book.app.status_bar = text
        return True
    except (NotImplementedError, AttributeError):
        return False
