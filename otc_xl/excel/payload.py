"""Turning a workbook file into the JSON payload xlwings' Office.js / Lite clients send.

Lets the Excel buttons run on Linux against xlwings' remote engine (``xw.Book(json=payload)``),
which is how otc_xl's tests exercise the Excel surface without Excel. Values are what Excel would
send (dates as ISO strings); Excel Tables are described with their addresses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

import openpyxl
from openpyxl.utils import range_boundaries


def _value(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}T00:00:00.000Z"
    return "" if value is None else value


def book_payload(path: str | Path, version: str | None = None) -> dict:
    """The payload of the workbook at ``path`` (cached values, not formulas)."""
    import xlwings as xw

    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        rows = [[_value(v) for v in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)] or [[]]
        tables = []
        for name, ref in ws.tables.items():
            table = ws.tables[name]
            min_col, min_row, max_col, max_row = cast("tuple[int, int, int, int]", range_boundaries(ref))
            header = f"{ref.split(':')[0]}:{openpyxl.utils.get_column_letter(max_col)}{min_row}"
            totals = bool(table.totalsRowCount)
            body_last = max_row - (1 if totals else 0)
            tables.append({"name": name, "range_address": ref, "header_row_range_address": header,
                           "data_body_range_address": f"{openpyxl.utils.get_column_letter(min_col)}{min_row + 1}:"
                                                      f"{openpyxl.utils.get_column_letter(max_col)}{body_last}",
                           "total_row_range_address": None, "show_headers": True, "show_totals": totals,
                           "table_style": "TableStyleMedium2", "show_autofilter": True})
        sheets.append({"name": ws.title, "values": rows, "pictures": [], "tables": tables})
    return {"client": "Office.js", "version": version or xw.__version__,
            "book": {"name": Path(path).name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}
