"""Writing report sheets to workbook files, safely.

- Every report is a formatted Excel Table with a stable name (``tblAgeing``), frozen header,
  number formats, sensible widths, and optionally a totals row, highlighting and a bar chart.
- Text is always written as text: a remittance ``=HYPERLINK(...)`` stays a string (and gets
  Excel's quote prefix, so editing the cell keeps it text); control characters are replaced.
- Files are saved atomically (temporary file + rename): a crash never leaves half a workbook.
- The writers: :func:`otc_xl.io.xlsx.report_writer.write_new_workbook` writes only reports (the
  default); :func:`otc_xl.io.xlsx.report_splice.replace_report_sheets` splices them into a user's
  workbook, replacing only sheets otc_xl wrote before and leaving every other part as it was.
  Here: the cell rules they share, and :func:`fill_sheet`, one report written with openpyxl (the
  shipped demo and template workbooks).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell import Cell
from openpyxl.chart import BarChart as XlBarChart
from openpyxl.chart import Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from ...model.problems import Problem
from ...model.report import MESSAGES_SHEET, NUMBER_FORMATS, REPORT_TABLES, BarChart, ReportSheet
from ...model.tables import FORMULA_PREFIXES
from ..files import replace_atomically
from .package import relationships, sheet_parts

MAX_TEXT = 32767
RISKY_PREFIXES = (*FORMULA_PREFIXES, "-")
HIGHLIGHT_FILLS = [PatternFill("solid", fgColor=c) for c in ("FCE4D6", "F8CBAD", "F4B084", "ED7D31")]
NOTE_FONT = Font(italic=True, color="595959")
_CONTROL_CHARS = {c: " " for c in (*range(0, 9), 11, 12, *range(14, 32))}
# Package parts openpyxl cannot carry through a load/save: refusing is better than losing them.
UNSUPPORTED_PARTS = ("drawing", "image", "oleObject", "ctrlProp", "slicer", "timeline", "activeX", "package")


def safe_text(value: str) -> str:
    """Text Excel will store as-is: control characters replaced, cut at Excel's 32,767 limit."""
    return value.translate(_CONTROL_CHARS)[:MAX_TEXT]


def cell_value(value: Any) -> Any:
    """A value openpyxl writes as data: NaN/NaT → empty, numpy → Python, midnight → date."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date() if value.time() == dt.time() else value.to_pydatetime() if isinstance(
            value, pd.Timestamp) else value
    if isinstance(value, dt.date):
        return value
    if pd.isna(value) if not isinstance(value, str) else False:
        return None
    return safe_text(str(value))


def column_values(series: pd.Series) -> list[Any]:
    """A column as the Python values :func:`cell_value` would give, converted in bulk."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if (series.dropna().dt.normalize() == series.dropna()).all():
            return [None if pd.isna(x) else x for x in series.dt.date.tolist()]
    elif pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
        return series.astype(object).where(series.notna(), None).tolist()
    return [cell_value(x) for x in series.tolist()]


def _cell(ws, row: int, column: int, value: Any, number_format: str | None) -> Any:
    """The value to append (already through :func:`cell_value`): plain when it needs no style,
    else a styled Cell.

    Plain values are much cheaper in openpyxl's write-only mode; strings that could be taken
    for formulas always get a Cell with an explicit string type and Excel's quote prefix.
    """
    if value is None:
        return None
    if isinstance(value, str) and not value.startswith(RISKY_PREFIXES):
        return value
    if not isinstance(value, str) and (not number_format or number_format == "General"):
        return value
    return _fill(Cell(ws, row=row, column=column), value, number_format)


def _fill(cell: Cell, value: Any, number_format: str | None = None) -> Cell:
    """Put ``value`` (already through :func:`cell_value`) into ``cell``: text always as text, with
    Excel's quote prefix when it could be taken for a formula; other values with their format."""
    if isinstance(value, str):
        cell._value, cell.data_type = value, "s"  # type: ignore[attr-defined]  # never a formula
        cell.quotePrefix = value.startswith(RISKY_PREFIXES)
    else:
        cell.value = value
        if number_format and number_format != "General" and value is not None:
            cell.number_format = number_format
    return cell


def set_cell(ws, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """Write one value into a normal worksheet with the same rules as reports (text stays text)."""
    _fill(ws.cell(row=row, column=column), cell_value(value), number_format)


def _widths(report: ReportSheet) -> list[float]:
    sample = report.frame.head(500)
    widths = []
    for name in report.frame.columns:
        fmt = report.format_of(name)
        longest = max([len(str(name))] + [len(str(cell_value(x) or "")) for x in sample[name]])
        extra = 4 if fmt in ("money", "number") else 2
        widths.append(min(max(10.0, longest + extra), 60.0))
    return widths


def fill_sheet(ws, report: ReportSheet) -> None:
    """Write ``report`` into the empty worksheet ``ws`` (write-only or normal) as an Excel Table.

    Notes go in a column to the right of the table, the chart below them.
    """
    frame = report.frame
    columns = [str(c) for c in frame.columns]
    formats = [NUMBER_FORMATS[report.format_of(c)] for c in frame.columns]
    rows = max(len(frame), 1)  # an Excel Table needs at least one data row
    totals = [c for c in report.totals if c in columns]
    notes_col = len(columns) + 2
    ws.freeze_panes = "A2"
    for j, width in enumerate(_widths(report), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    if report.notes:
        ws.column_dimensions[get_column_letter(notes_col)].width = min(max(map(len, report.notes)) + 2, 90)

    def with_note(r: int, cells: list[Any]) -> list[Any]:
        i = r - 2
        if 0 <= i < len(report.notes):
            note = _fill(Cell(ws, row=r, column=notes_col), safe_text(report.notes[i]))
            note.font = NOTE_FONT
            cells = cells + [None] * (notes_col - 1 - len(cells)) + [note]
        return cells

    ws.append(columns)
    data = [column_values(frame.iloc[:, j]) for j in range(len(columns))]
    for r, record in enumerate(zip(*data), start=2):
        ws.append(with_note(r, [_cell(ws, r, j, x, formats[j - 1]) for j, x in enumerate(record, start=1)]))
    r = len(frame) + 2
    if not len(frame):
        ws.append(with_note(r, [None] * len(columns)))
        r += 1
    if totals:
        ws.append(with_note(r, [_totals_cell(ws, r, j, c, report, totals, formats[j - 1])
                                for j, c in enumerate(columns, start=1)]))
        r += 1
    for note_row in range(r, len(report.notes) + 2):
        ws.append(with_note(note_row, []))
    table = Table(displayName=report.table, ref=f"A1:{get_column_letter(len(columns))}{rows + 1 + bool(totals)}",
                  totalsRowCount=1 if totals else None, totalsRowShown=bool(totals))
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    table.tableColumns = [TableColumn(id=j, name=c, totalsRowFunction="sum" if c in totals else None,
                                      totalsRowLabel="Total" if totals and j == 1 and c not in totals else None)
                          for j, c in enumerate(columns, start=1)]
    with warnings.catch_warnings():  # write-only mode warns even though the columns are set above
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
        ws.add_table(table)
    for k, name in enumerate(report.highlight):  # later columns (older buckets) get darker fills
        if name in columns and len(frame):
            col = get_column_letter(columns.index(name) + 1)
            fill = HIGHLIGHT_FILLS[min(k, len(HIGHLIGHT_FILLS) - 1)]
            ws.conditional_formatting.add(f"{col}2:{col}{rows + 1}", CellIsRule(
                operator="notEqual", formula=["0"], fill=fill))
    chart = _chart(ws, report, columns, rows) if report.chart and len(frame) else None
    if chart is not None:
        ws.add_chart(chart, f"{get_column_letter(notes_col)}{len(report.notes) + 3}")


def _totals_cell(ws, row: int, j: int, column: str, report: ReportSheet, totals: list[str], fmt: str) -> Any:
    if column in totals:
        cell = Cell(ws, row=row, column=j, value=f"=SUBTOTAL(109,{report.table}[{column}])")
        cell.number_format = fmt
        return cell
    return "Total" if j == 1 else None


def _chart(ws, report: ReportSheet, columns: list[str], rows: int) -> XlBarChart | None:
    """The report's native bar chart (None when ``only`` names a row the table does not have)."""
    spec = cast(BarChart, report.chart)  # called for a report with a chart
    chart = XlBarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title, chart.height, chart.width = spec.title, 9, 18
    chart.x_axis.title, chart.y_axis.title = spec.x_title or None, spec.y_title or None
    cat = columns.index(spec.category) + 1
    if spec.only is not None:
        matches = [i for i, v in enumerate(report.frame[spec.category].astype(str)) if v == spec.only]
        if not matches:
            return None
        r = matches[0] + 2
        js = [columns.index(name) + 1 for name in spec.values]  # adjacent bucket columns, left to right
        chart.add_data(Reference(ws, min_col=js[0] - 1 if cat == js[0] - 1 else js[0], max_col=js[-1], min_row=r,
                                 max_row=r), from_rows=True, titles_from_data=cat == js[0] - 1)
        chart.set_categories(Reference(ws, min_col=js[0], max_col=js[-1], min_row=1, max_row=1))
        chart.legend = None
        return chart
    for name in spec.values:
        j = columns.index(name) + 1
        chart.add_data(Reference(ws, min_col=j, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cat, min_row=2, max_row=rows + 1))
    return chart


def _problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    return pd.DataFrame([{"severity": p.severity, "where": p.cell, "message": p.message} for p in problems],
                        columns=["severity", "where", "message"])


def messages_report(problems: list[Problem]) -> ReportSheet:
    """The ``otc_messages`` sheet listing every problem and warning, in order."""
    return ReportSheet(MESSAGES_SHEET, "tblMessages", _problems_frame(problems))


# ---------------------------------------------------------------------------- saving

def save_atomically(book: openpyxl.Workbook, target: Path) -> None:
    """Save next to ``target`` under a temporary name, then rename over it."""
    replace_atomically(target, book.save)


def own_report_sheets(path: Path) -> set[str]:
    """Sheets holding one of otc_xl's report tables (their charts are otc_xl's own, redrawn by the
    next run that writes them)."""
    import python_calamine as pc

    with pc.CalamineWorkbook.from_path(str(path), load_tables=True) as book:
        return {book.get_table_by_name(t).sheet for t in (book.table_names or []) if t in REPORT_TABLES}


def unsupported_content(path: Path, own_sheets: set[str]) -> list[tuple[str, str]]:
    """(sheet, kind) for content that an openpyxl load/save would drop, outside ``own_sheets`` and
    otc_xl's report sheets."""
    own_sheets = set(own_sheets) | own_report_sheets(path)
    found = []
    with zipfile.ZipFile(path) as z:
        for title, part in sheet_parts(z).items():
            if title in own_sheets:
                continue
            for kind in relationships(z, part):
                if kind in UNSUPPORTED_PARTS:
                    found.append((title, "pictures, charts or shapes" if kind == "drawing" else kind))
    return sorted(set(found))
